/**
 * An access profile: a named kind of access to one tenant (DESIGN.md section 2),
 * as loaded from `policies/` and checked at start. The loader (policy-set.ts)
 * produces these; the request rules and the credential issuers read them.
 */

/** The kinds of credential Vault issues for a grant. */
export type CredentialKind = 'vault-token' | 'database' | 'ssh';

/** Vault details of a `vault-token` profile. */
export interface VaultTokenDetails {
  /**
   * Names of the Vault ACL policies the token carries. `{tenant}` is replaced by
   * the tenant slug, so each tenant's token reaches only that tenant's paths.
   */
  policies: string[];
}

/** Vault details of a `database` profile. */
export interface DatabaseDetails {
  /** Role of the tenant's database secrets engine (`<tenant path>/database`). */
  role: string;
}

/** Vault details of an `ssh` profile. */
export interface SshDetails {
  /** Role of the tenant's SSH secrets engine (`<tenant path>/ssh`). */
  role: string;
  /** Principals (login names) written into the certificate. */
  principals: string[];
}

/** One access profile after loading and per-tenant overrides. */
export type AccessProfile = {
  name: string;
  description: string;
  /** Longest grant, in seconds. Longer requests are refused, never trimmed. */
  maxDurationSeconds: number;
  /** Approvals needed from distinct managers of the tenant; 0 grants at once. */
  approvalsRequired: number;
  /** The requester must have passed MFA within the step-up window. */
  stepUp: boolean;
  /** A ticket reference must accompany the request. */
  ticketRequired: boolean;
  /** Closing the access session ends the grant. */
  singleSession: boolean;
} & (
  | { credential: 'vault-token'; vault: VaultTokenDetails }
  | { credential: 'database'; vault: DatabaseDetails }
  | { credential: 'ssh'; vault: SshDetails }
);
