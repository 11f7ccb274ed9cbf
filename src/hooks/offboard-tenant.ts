/**
 * A customer churns (DESIGN.md invariant 8): in one transaction the tenant is
 * marked churned (new requests for it are refused from then on), its pending
 * requests are cancelled and every live grant on it is marked for revocation.
 * After the commit a checkpoint of its audit chain is signed, so the customer
 * holds a signed head of its log as it stood when the relationship ended.
 */
import { appendAudit } from '../audit/append';
import { writeCheckpoint } from '../audit/checkpoints';
import type { AuditSigner } from '../audit/signing-key';
import type { Database } from '../platform/database';
import { badRequest, notFound } from '../platform/errors';
import { claimHookEvent, storeReceipt, type HookEventRow } from './hook-events';
import { receiptView, type ReceiptView, type StoredReceipt } from './hook-receipts';
import { cancelAndRevoke, type Filter } from './offboarding-effects';

/** A tenant-offboarded event, as validated from the hook body. */
export interface TenantOffboarded {
  event_id: string;
  tenant: string;
  reason: string;
}

const ACTOR = { kind: 'hook' as const, id: 'tenant-offboarded' };

/**
 * Offboards the tenant named in `event`, once per event id; a repeat of the
 * same event answers the first receipt and changes nothing.
 */
export async function offboardTenant(
  db: Database,
  signer: AuditSigner,
  event: TenantOffboarded,
  hash: string,
): Promise<{ receipt: ReceiptView; repeated: boolean }> {
  // The MSP's own tenant holds the broker's own log; it cannot churn.
  if (event.tenant === 'msp') throw badRequest('hook.invalid', 'tenant: msp cannot be offboarded');

  const outcome = await db.transaction(async (trx) => {
    const claim = await claimHookEvent(trx, {
      eventId: event.event_id,
      kind: 'tenant-offboarded',
      bodyHash: hash,
    });
    if (!claim.fresh) return { row: claim.row, repeated: true };

    const tenant = await trx('tenants').where({ slug: event.tenant }).forUpdate().first('status');
    if (!tenant) throw notFound('hook.unknown_tenant', 'No such tenant');
    await trx('tenants')
      .where({ slug: event.tenant })
      .update({ status: 'churned', churned_at: trx.raw('coalesce(churned_at, now())') });

    const cause = { actor: ACTOR, reason: event.reason, eventId: event.event_id };
    const byTenant: Filter = (q) => q.where({ tenant: event.tenant });
    const tenants = await cancelAndRevoke(trx, { requests: byTenant, grants: byTenant }, cause, [
      event.tenant,
      'msp',
    ]);
    const effects = tenants[event.tenant] ?? { requests_cancelled: 0, grants: [] };
    for (const slug of [event.tenant, 'msp'].sort()) {
      await appendAudit(trx, {
        tenant: slug,
        actor: ACTOR,
        action: 'tenant.offboarded',
        subject: event.tenant,
        data: {
          event_id: event.event_id,
          reason: event.reason,
          requests_cancelled: effects.requests_cancelled,
          grants_revoking: effects.grants.length,
        },
      });
    }

    const receipt: StoredReceipt = {
      event_id: event.event_id,
      kind: 'tenant-offboarded',
      reason: event.reason,
      tenant: { slug: event.tenant, churned: true },
      tenants: { [event.tenant]: effects },
    };
    await storeReceipt(trx, claim.id, receipt as unknown as Record<string, unknown>);
    return { row: { id: claim.id, receipt } as unknown as HookEventRow, repeated: false };
  });

  // Signed after the commit: if the process stops in between, the periodic
  // checkpoint task signs the same head later.
  if (!outcome.repeated) {
    const checkpoint = await writeCheckpoint(db, signer, event.tenant, ACTOR);
    const receipt = outcome.row.receipt as unknown as StoredReceipt;
    receipt.tenant = { slug: event.tenant, churned: true, checkpoint_seq: checkpoint.seq };
    await db('hook_events')
      .where({ id: outcome.row.id })
      .update({ receipt: JSON.stringify(receipt) });
  }
  const row: HookEventRow = await db('hook_events').where({ id: outcome.row.id }).first();
  return { receipt: await receiptView(db, row), repeated: outcome.repeated };
}
