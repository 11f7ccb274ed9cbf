/**
 * The step after approval: turning a grant in `issuing` into a credential.
 * The request service calls `issue` after its transaction commits; the Vault
 * implementation (src/vault) moves the grant to `active` or `failed` itself.
 */

/** A grant just opened, as its opener knows it: issuing it needs no read. */
export interface OpenedGrant {
  id: string;
  tenant: string;
  profile: string;
  technician_id: string;
  /** The holder's e-mail, for Vault's metadata. */
  email: string;
  ends_at: Date;
}

/** Issues the credential of a grant that is in `issuing`. */
export interface GrantIssuance {
  /**
   * Issues the credential of grant `grantId` (described by `opened` when the
   * caller has just written it). On a Vault failure it records the grant as
   * `failed` and throws the AppError (vault.unavailable, vault.denied), which
   * the request answer carries; any other throw is logged and the grant stays
   * in `issuing`. Resolves the grant's new status, or undefined when it did
   * not change it (the grant had left `issuing` meanwhile).
   */
  issue(grantId: string, opened?: OpenedGrant): Promise<'active' | undefined>;
}

/**
 * Issuance that does nothing: grants stay in `issuing` until the Vault issuer
 * is wired in. Used until then and by tests that stop at the grant row.
 */
export const pendingIssuance: GrantIssuance = {
  issue: async () => undefined,
};
