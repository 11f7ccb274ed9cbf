/**
 * Expiry: when a grant reaches its end, it is marked for revocation with the
 * outcome `expired`; the revoke job then ends the credential in Vault (which
 * ends it by itself too: its TTL never outlives the grant, invariant 2).
 */
import { SYSTEM } from '../audit/actions';
import type { Database } from '../platform/database';
import { markRevoking } from './request-revocation';

/**
 * Marks grant `grantId` for expiry if it is live and its end has come.
 * Returns whether it did; running it twice, or for a grant revoked by hand
 * meanwhile, does nothing.
 */
export async function expireGrant(db: Database, grantId: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const marked = await markRevoking(
      trx,
      (q) => q.where({ id: grantId }).andWhere('ends_at', '<=', trx.raw('now()')),
      { actor: SYSTEM, reason: 'expired', outcome: 'expired' },
    );
    return marked.length > 0;
  });
}

/**
 * Marks every live grant past its end: a safety net for grants whose expiry
 * job was never queued (rows written by hand, or before this code existed).
 */
export async function expireOverdueGrants(db: Database): Promise<number> {
  return db.transaction(async (trx) => {
    const marked = await markRevoking(trx, (q) => q.where('ends_at', '<=', trx.raw('now()')), {
      actor: SYSTEM,
      reason: 'expired',
      outcome: 'expired',
    });
    return marked.length;
  });
}
