/**
 * Emergency revoke-all: every live grant in every tenant, at once, for the day
 * the management platform itself is compromised. An admin with fresh MFA and a
 * reason starts it; the answer is a receipt (like an offboarding hook's) that
 * shows when Vault has confirmed every revocation.
 *
 * Marking is set-based, in one transaction (one UPDATE, every tenant's audit
 * events in one batched append, the revoke jobs), so ten thousand grants are
 * marked in about a second and each tenant's chain gets one event per grant.
 * The Vault revocations then run on the job queue, a batch of grants per job
 * (see complete-revocation-batch.ts).
 */
import { randomUUID } from 'node:crypto';
import { appendAudit, appendAuditAll } from '../audit/append';
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
import { markRevoking } from './request-revocation';

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

  // One transaction marks every live grant (one UPDATE), writes every
  // tenant's events in one batched append, and queues the confirmation jobs:
  // a few round trips in all, so Vault confirmations start at once.
  const effects: Record<string, TenantEffects> = {};
  await db.transaction(async (trx) => {
    const marked = await markRevoking(trx, (q) => q, {
      actor,
      reason,
      context: { emergency: claim.id },
      batched: true,
    });
    for (const grant of marked) {
      effects[grant.tenant] ??= { requests_cancelled: 0, grants: [] };
      effects[grant.tenant]!.grants.push(grant.id);
    }
    await appendAuditAll(
      trx,
      Object.entries(effects).map(([tenant, effect]) => ({
        tenant,
        actor,
        action: 'emergency.revoke_all' as const,
        subject: claim.id,
        data: { reason, grants_revoking: effect.grants.length },
      })),
    );
  });
  const tenants = Object.keys(effects);

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
