/**
 * Words shared by the revocation modules: the issuers they revoke through,
 * what ended a grant, and the grant columns they read.
 */
import type { CredentialKind } from '../policies/access-profile';
import type { CredentialIssuer } from '../vault/credential-issuer';

/** One issuer per credential kind, as src/vault builds them. */
export type Issuers = Record<CredentialKind, CredentialIssuer>;

/** Where a revocation ends: `expired` when the grant ran out, else `revoked`. */
export type RevocationOutcome = 'revoked' | 'expired';

/** Statuses in which a grant may still hold a live credential. */
export const LIVE_STATUSES = ['issuing', 'active'] as const;

/** The grant columns revocation reads. */
export interface RevocableGrant {
  id: string;
  tenant: string;
  technician_id: string;
  profile: string;
  credential_kind: CredentialKind;
  status: string;
  vault_accessor: string | null;
  vault_lease_id: string | null;
  revoke_reason: string | null;
}

/** The columns to select for a RevocableGrant. */
export const REVOCABLE_COLUMNS = [
  'id',
  'tenant',
  'technician_id',
  'profile',
  'credential_kind',
  'status',
  'vault_accessor',
  'vault_lease_id',
  'revoke_reason',
] as const;
