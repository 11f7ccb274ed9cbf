/**
 * A technician leaves (DESIGN.md invariant 8): in one transaction the account
 * is disabled, its login sessions end (so its tokens stop working on the next
 * request, see src/identity/authenticate.ts), its pending requests are
 * cancelled and every live grant is marked for revocation with its revoke
 * job. Vault confirms afterwards; the receipt shows when.
 */
import { appendAudit } from '../audit/append';
import type { Database } from '../platform/database';
import { notFound } from '../platform/errors';
import { claimHookEvent, storeReceipt } from './hook-events';
import { receiptView, type ReceiptView, type StoredReceipt } from './hook-receipts';
import { cancelAndRevoke } from './offboarding-effects';

/** A technician-offboarded event, as validated from the hook body. */
export interface TechnicianOffboarded {
  event_id: string;
  technician: { id: string } | { email: string };
  reason: string;
}

const ACTOR = { kind: 'hook' as const, id: 'technician-offboarded' };

/**
 * Offboards the technician named in `event`, once per event id; a repeat of
 * the same event answers the first receipt and changes nothing.
 */
export async function offboardTechnician(
  db: Database,
  event: TechnicianOffboarded,
  hash: string,
): Promise<{ receipt: ReceiptView; repeated: boolean }> {
  const outcome = await db.transaction(async (trx) => {
    const claim = await claimHookEvent(trx, {
      eventId: event.event_id,
      kind: 'technician-offboarded',
      bodyHash: hash,
    });
    if (!claim.fresh) return { row: claim.row, repeated: true };

    const lookup = trx('technicians').forUpdate().first('id', 'email');
    if ('id' in event.technician) lookup.where({ id: event.technician.id });
    else lookup.whereRaw('lower(email) = lower(?)', [event.technician.email]);
    const technician: { id: string; email: string } | undefined = await lookup;
    // Throwing rolls the claim back too: an unknown technician leaves no row.
    if (!technician) throw notFound('hook.unknown_technician', 'No such technician');

    await trx('technicians')
      .where({ id: technician.id })
      .update({ status: 'disabled', disabled_at: trx.raw('coalesce(disabled_at, now())') });
    const sessionsEnded = await trx('login_sessions')
      .where({ technician_id: technician.id })
      .whereNull('ended_at')
      .update({ ended_at: trx.fn.now(), end_reason: 'offboarded' });

    const cause = { actor: ACTOR, reason: event.reason, eventId: event.event_id };
    const tenants = await cancelAndRevoke(
      trx,
      {
        requests: (q) => q.where({ technician_id: technician.id }),
        grants: (q) => q.where({ technician_id: technician.id }),
      },
      cause,
      ['msp'],
    );
    await appendAudit(trx, {
      tenant: 'msp',
      actor: ACTOR,
      action: 'technician.offboarded',
      subject: technician.id,
      data: {
        event_id: event.event_id,
        reason: event.reason,
        login_sessions_ended: sessionsEnded,
        tenants: Object.keys(tenants).sort(),
      },
    });

    const receipt: StoredReceipt = {
      event_id: event.event_id,
      kind: 'technician-offboarded',
      reason: event.reason,
      technician: {
        id: technician.id,
        email: technician.email,
        disabled: true,
        login_sessions_ended: sessionsEnded,
      },
      tenants,
    };
    await storeReceipt(trx, claim.id, receipt as unknown as Record<string, unknown>);
    const row = await trx('hook_events').where({ id: claim.id }).first();
    return { row, repeated: false };
  });
  return { receipt: await receiptView(db, outcome.row), repeated: outcome.repeated };
}
