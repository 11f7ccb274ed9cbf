/**
 * Emergency revoke-all: every live grant in every tenant, at once, for the day
 * the management platform itself is compromised. An admin with fresh MFA and a
 * reason starts it; the answer is a receipt (like an offboarding hook's) that
 * shows when Vault has confirmed every revocation.
 *
 * Marking is set-based and goes a few tenants at a time: each transaction
 * marks every live grant of its tenants (one UPDATE), writes their audit
 * events in one batched append and queues their confirmation jobs, then
 * commits, so the job worker starts on Vault while the next tenants are being
 * marked. One transaction for everything would hold back the first Vault
 * revocation until the last grant was marked (about a second per ten thousand)
 * and would lock every tenant's audit head, stalling all other audited work,
 * for as long. A tenant is never split: its grants and its
 * `emergency.revoke_all` event share one transaction. A last pass over every
 * tenant marks any grant that went live after its tenant was counted. The
 * Vault revocations run on the job queue, a batch of grants per job (see
 * complete-revocation-batch.ts).
 *
 * Should the broker stop between two transactions, the tenants already marked
 * stay marked and are revoked by their jobs; the admin, who got no receipt,
 * starts revoke-all again, and it marks what is still live.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../audit/actions';
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
import { LIVE_STATUSES } from './revocation-types';

/**
 * Live grants marked per transaction, about: enough that per-transaction costs
 * stay small, few enough that the first jobs are queued after a tenth of the
 * marking (with 10,000 grants the first is recorded revoked after 0.4-0.5 s,
 * against 1.1 s when one transaction marked them all).
 */
export const MARK_CHUNK_GRANTS = 1000;

/** Marks every live grant of every tenant for revocation; returns the receipt. */
export async function revokeAll(
  db: Database,
  principal: Principal,
  reason: string,
  options: { chunkGrants?: number } = {},
): Promise<ReceiptView> {
  const actor = { kind: 'technician' as const, id: principal.technicianId };
  const eventId = `emergency:${randomUUID()}`;
  const claim = await db.transaction((trx) =>
    claimHookEvent(trx, { eventId, kind: 'emergency-revoke-all', bodyHash: eventId }),
  );
  if (!claim.fresh) throw new Error('emergency event id collided');

  const effects: Record<string, TenantEffects> = {};
  const emergency = { actor, reason, emergencyId: claim.id };
  const record = (marked: Map<string, string[]>) => {
    for (const [tenant, ids] of marked) {
      effects[tenant] ??= { requests_cancelled: 0, grants: [] };
      effects[tenant].grants.push(...ids);
    }
  };
  for (const run of await tenantRuns(db, options.chunkGrants ?? MARK_CHUNK_GRANTS)) {
    record(await markRun(db, (q) => q.whereRaw('tenant = any(?::text[])', [run]), emergency));
  }
  // A grant that went live in a tenant after the count (usually none): one
  // last pass over every tenant.
  record(await markRun(db, (q) => q, emergency));
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

/**
 * Marks the live grants `filter` picks, in one transaction, with one
 * `emergency.revoke_all` event in each of their tenants; returns their ids by
 * tenant.
 */
async function markRun(
  db: Database,
  filter: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
  emergency: { actor: Actor; reason: string; emergencyId: string },
): Promise<Map<string, string[]>> {
  const { actor, reason, emergencyId } = emergency;
  return db.transaction(async (trx) => {
    const marked = await markRevoking(trx, filter, {
      actor,
      reason,
      context: { emergency: emergencyId },
      batched: true,
    });
    const byTenant = new Map<string, string[]>();
    for (const grant of marked) {
      const ids = byTenant.get(grant.tenant) ?? [];
      ids.push(grant.id);
      byTenant.set(grant.tenant, ids);
    }
    await appendAuditAll(
      trx,
      [...byTenant].map(([tenant, ids]) => ({
        tenant,
        actor,
        action: 'emergency.revoke_all' as const,
        subject: emergencyId,
        data: { reason, grants_revoking: ids.length },
      })),
    );
    return byTenant;
  });
}

/**
 * The tenants holding live grants, in order, cut into runs of whole tenants
 * holding about `size` live grants each (a tenant with more forms a run alone).
 */
async function tenantRuns(db: Database, size: number): Promise<string[][]> {
  const counts: { tenant: string; n: string }[] = await db('grants')
    .whereIn('status', LIVE_STATUSES)
    .groupBy('tenant')
    .orderBy('tenant')
    .select('tenant')
    .count({ n: '*' });
  const runs: string[][] = [];
  let run: string[] = [];
  let held = 0;
  for (const { tenant, n } of counts) {
    if (run.length > 0 && held + Number(n) > size) {
      runs.push(run);
      run = [];
      held = 0;
    }
    run.push(tenant);
    held += Number(n);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
