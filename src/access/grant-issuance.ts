/**
 * The step after approval: turning a grant in `issuing` into a credential.
 * The request service calls `issue` after its transaction commits; the Vault
 * implementation (src/vault) moves the grant to `active` or `failed` itself.
 */

/** Issues the credential of a grant that is in `issuing`. */
export interface GrantIssuance {
  /**
   * Issues the credential of grant `grantId`. On a Vault failure it records
   * the grant as `failed` and throws the AppError (vault.unavailable,
   * vault.denied), which the request answer carries; any other throw is
   * logged and the grant stays in `issuing`.
   */
  issue(grantId: string): Promise<void>;
}

/**
 * Issuance that does nothing: grants stay in `issuing` until the Vault issuer
 * is wired in. Used until then and by tests that stop at the grant row.
 */
export const pendingIssuance: GrantIssuance = {
  issue: async () => undefined,
};
