/**
 * Idempotency of hook calls by their `event_id` (table hook_events): the
 * first call does the work and stores its receipt in the same transaction;
 * a repeat with the same body gets that receipt and changes nothing; a repeat
 * with a different body is refused, since it cannot be the same event.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { conflict } from '../platform/errors';

/** Kinds of events recorded in hook_events. */
export type HookKind = 'technician-offboarded' | 'tenant-offboarded' | 'emergency-revoke-all';

/** The stored row of an event. */
export interface HookEventRow {
  id: string;
  event_id: string;
  kind: HookKind;
  body_hash: string;
  receipt: Record<string, unknown>;
  received_at: Date;
}

/** SHA-256 of the raw body, hex. */
export function bodyHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Claims `eventId` inside `trx`. Returns the new row's id when this call is
 * the first, or the earlier row when the event was seen (a concurrent first
 * call makes this wait for its commit, through the unique index). Throws 409
 * `hook.event_conflict` when the earlier call had a different body or kind.
 */
export async function claimHookEvent(
  trx: Knex.Transaction,
  event: { eventId: string; kind: HookKind; bodyHash: string },
): Promise<{ fresh: true; id: string } | { fresh: false; row: HookEventRow }> {
  const id = randomUUID();
  const inserted = await trx.raw(
    `insert into hook_events (id, event_id, kind, body_hash, receipt)
     values (?, ?, ?, ?, '{}'::jsonb) on conflict (event_id) do nothing returning id`,
    [id, event.eventId, event.kind, event.bodyHash],
  );
  if (inserted.rows.length > 0) return { fresh: true, id };

  const row: HookEventRow = await trx('hook_events').where({ event_id: event.eventId }).first();
  if (row.body_hash !== event.bodyHash || row.kind !== event.kind) {
    throw conflict('hook.event_conflict', 'This event id was used for a different event');
  }
  return { fresh: false, row };
}

/** Stores the receipt of a freshly claimed event. */
export async function storeReceipt(
  trx: Knex.Transaction,
  id: string,
  receipt: Record<string, unknown>,
): Promise<void> {
  await trx('hook_events')
    .where({ id })
    .update({ receipt: JSON.stringify(receipt) });
}
