/**
 * The edge between grants and Vault: one CredentialIssuer per credential kind.
 * The grant state machine calls these; only src/vault knows how Vault does it.
 */
import type { AccessProfile, CredentialKind } from '../policies/access-profile';

/** What an issuer needs to make one grant's credential. */
export interface IssueInput {
  grantId: string;
  tenant: string;
  technicianId: string;
  technicianEmail: string;
  profile: AccessProfile;
  /** Vault's own TTL for the credential: never past the grant's end. */
  ttlSeconds: number;
  /** For `ssh`: the technician's OpenSSH public key to sign. */
  publicKey?: string;
}

/** A credential just issued. `secret` lives in memory only, never stored or logged. */
export interface IssuedCredential {
  kind: CredentialKind;
  /** Token accessor (vault-token): enough to revoke, useless to authenticate. */
  accessor?: string;
  /** Lease id (database): enough to revoke. */
  leaseId?: string;
  /** SSH certificate serial, for the record. */
  serial?: string;
  /** When Vault ends the credential by itself. */
  expiresAt: Date;
  /** The credential values handed to the technician, wrapped. */
  secret: Record<string, unknown>;
}

/** How a grant's credential is found again for revocation. */
export interface CredentialRef {
  tenant: string;
  accessor?: string | null;
  leaseId?: string | null;
}

/** Issues and revokes one kind of credential. */
export interface CredentialIssuer {
  readonly kind: CredentialKind;
  issue(input: IssueInput): Promise<IssuedCredential>;
  /**
   * Revokes the credential. Resolves 'revoked', or 'already_gone' when Vault
   * no longer knows it (expired or revoked before): both mean done.
   */
  revoke(ref: CredentialRef): Promise<'revoked' | 'already_gone'>;
}
