/**
 * Emergency revoke-all: every live grant in every tenant, at once, for the day
 * the management platform itself is compromised. An admin with fresh MFA and a
 * reason starts it; the answer is a receipt (like an offboarding hook's) that
 * shows when Vault has confirmed every revocation.
 *
 * Marking is set-based, one transaction per tenant (one UPDATE, the tenant's
 * audit events, one batch of revoke jobs), eight tenants in parallel, so ten
 * thousand grants are marked in seconds and each tenant's chain gets one event
 * per grant. The Vault revocations then run on the job queue, a batch of one
 * tenant's grants per job (see complete-revocation-batch.ts).
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/append';
import { claimHookEvent, storeReceipt, type HookEventRow } from '../hooks/hook-events';
import {
  receiptView,
  type ReceiptView,
  type StoredReceipt,
  type TenantEffects,
} from '../hooks/hook-receipts';
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { logger } from '../platform/logger';
import { forEachLimit } from './bounded-parallel';
import { markRevoking } from './request-revocation';
import { LIVE_STATUSES } from './revocation-types';

/**
 * Tenants marked at once: each holds one connection of the HTTP side's pool
 * (10) and its tenant's audit head lock. Marking is a chain of short round
 * trips, so more lanes mean more marked per second, up to the pool.
 */
const TENANTS_IN_PARALLEL = 8;

/** Marks every live grant of every tenant for revocation; returns the receipt. */
export async function revokeAll(
  db: Database,
  principal: Principal,
  reason: string,
): Promise<ReceiptView> {
  const actor = { kind: 'technician' as const, id: principal.technicianId };
  const eventId = `emergency:${randomUUID()}`;
  const claim = await db.transaction((trx) =>
    claimHookEvent(trx, { eventId, kind: 'emergency-revoke-all', bodyHash: eventId }),
  );
  if (!claim.fresh) throw new Error('emergency event id collided');

  const tenants: string[] = await db('grants')
    .whereIn('status', LIVE_STATUSES)
    .distinct()
    .orderBy('tenant')
    .pluck('tenant');
  const effects: Record<string, TenantEffects> = {};
  await forEachLimit(tenants, TENANTS_IN_PARALLEL, async (tenant) => {
    const grants = await db.transaction(async (trx) => {
      const marked = await markRevoking(trx, (q) => q.where({ tenant }), {
        actor,
        reason,
        context: { emergency: claim.id },
        batched: true,
      });
      await appendAudit(trx, {
        tenant,
        actor,
        action: 'emergency.revoke_all',
        subject: claim.id,
        data: { reason, grants_revoking: marked.length },
      });
      return marked;
    });
    effects[tenant] = { requests_cancelled: 0, grants: grants.map((grant) => grant.id) };
  });

  const total = Object.values(effects).reduce((sum, e) => sum + e.grants.length, 0);
  const receipt: StoredReceipt = {
    event_id: eventId,
    kind: 'emergency-revoke-all',
    reason,
    tenants: effects,
  };
  await db.transaction(async (trx) => {
    await appendAudit(trx, {
      tenant: 'msp',
      actor,
      action: 'emergency.revoke_all',
      subject: claim.id,
      data: { reason, tenants: tenants.length, grants_revoking: total },
    });
    await storeReceipt(trx, claim.id, receipt as unknown as Record<string, unknown>);
  });
  logger.warn('emergency revoke-all', {
    tenants: tenants.length,
    grants: total,
    technician_id: principal.technicianId,
  });

  const row: HookEventRow = await db('hook_events').where({ id: claim.id }).first();
  return receiptView(db, row);
}
