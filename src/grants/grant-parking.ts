/**
 * Parking a grant's credential between issue and checkout. The credential is
 * wrapped by Vault in a single-use token whose TTL ends with the grant, and
 * only that token is kept, sealed, in the grant's row. Nothing readable
 * without both the broker's key and Vault; worthless after the grant's end.
 */
import type { Config } from '../platform/config';
import { open, seal } from '../platform/sealed-box';
import type { GrantVault } from './grant-vault';

const PURPOSE = 'grant parking';

/** The columns that hold a parked credential. */
export interface ParkedColumns {
  parked_wrap_sealed: string;
  parked_key_id: string;
}

/** Wraps `secret` until the grant's end and seals the wrapping token. */
export async function park(
  vault: GrantVault,
  keys: Config['totpKeys'],
  grant: { id: string; tenant: string },
  secret: Record<string, unknown>,
  ttlSeconds: number,
): Promise<ParkedColumns> {
  const wrapped = await vault.wrap(grant.tenant, secret, ttlSeconds);
  const sealed = seal(keys, PURPOSE, grant.id, wrapped.token);
  return { parked_wrap_sealed: sealed.sealed, parked_key_id: sealed.keyId };
}

/** Opens and unwraps a parked credential. Vault allows this once per parking. */
export async function unpark(
  vault: GrantVault,
  keys: Config['totpKeys'],
  grant: { id: string; tenant: string } & ParkedColumns,
): Promise<Record<string, unknown>> {
  const token = open(keys, PURPOSE, grant.id, {
    keyId: grant.parked_key_id,
    sealed: grant.parked_wrap_sealed,
  });
  return vault.unwrap(grant.tenant, token);
}
