/**
 * Appending to a tenant's audit chain, always inside the caller's transaction:
 * the state change and its event commit together or not at all (fail closed).
 *
 * Appends to one tenant are serialised by locking that tenant's head row
 * (an upsert that takes the row lock); different tenants lock different rows and so append
 * in parallel. The lock is held until the caller's transaction ends, which is
 * what keeps sequence numbers gapless.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor, AuditAction } from './actions';
import { GENESIS_HASH, chainHash, type ChainedEvent } from './chain';

/** What a module says about a change. */
export interface AuditEntry {
  tenant: string;
  actor: Actor;
  action: AuditAction;
  /** What the event is about: a grant id, request id, technician id... */
  subject?: string | null;
  /** Facts about the change. Never a secret: this is kept forever. */
  data?: Record<string, unknown>;
}

/** A stored audit event, with its chain fields. */
export interface AuditEvent extends ChainedEvent {
  prev_hash: string;
  hash: string;
}

/**
 * Appends one event to its tenant's chain within `trx` and returns it.
 * Throws when called outside a transaction: an event must share the fate of
 * the change it records.
 */
export async function appendAudit(trx: Knex.Transaction, entry: AuditEntry): Promise<AuditEvent> {
  if (!trx.isTransaction) throw new Error('appendAudit needs a transaction');
  const head = await lockHead(trx, entry.tenant);

  const event: ChainedEvent = {
    tenant: entry.tenant,
    seq: head.seq + 1,
    id: randomUUID(),
    time: new Date().toISOString(),
    actor_kind: entry.actor.kind,
    actor_id: storable(entry.actor.id),
    action: entry.action,
    subject: storable(entry.subject ?? null),
    // Round-trip through JSON so that what is hashed is exactly what jsonb stores.
    data: JSON.parse(JSON.stringify(entry.data ?? {})),
  };
  const hash = chainHash(head.hash, event);

  // One round trip for the event and the new head: the lock is held until
  // commit, so every statement saved here is time another append need not wait.
  await trx.raw(
    `with event as (
       insert into audit_events
         (tenant, seq, id, time, actor_kind, actor_id, action, subject, data, prev_hash, hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
     )
     update audit_heads set seq = ?, hash = ? where tenant = ?`,
    [
      event.tenant,
      event.seq,
      event.id,
      event.time,
      event.actor_kind,
      event.actor_id,
      event.action,
      event.subject,
      JSON.stringify(event.data),
      head.hash,
      hash,
      event.seq,
      hash,
      event.tenant,
    ],
  );
  return { ...event, prev_hash: head.hash, hash };
}

/** Appends several events in order (e.g. one per tenant touched by offboarding). */
export async function appendAuditAll(trx: Knex.Transaction, entries: AuditEntry[]) {
  const events: AuditEvent[] = [];
  for (const entry of entries) events.push(await appendAudit(trx, entry));
  return events;
}

// LIMITATION: the head lock is held until the caller commits, so one tenant's
// appends run one commit at a time: its rate is capped near 1 / commit latency
// (see npm run bench:audit). Gapless seqs need this; busy tenants share the cap.
async function lockHead(trx: Knex.Transaction, tenant: string) {
  // Creates the head row on a tenant's first event and locks it in the same
  // statement: ON CONFLICT DO UPDATE takes the row lock (as FOR UPDATE would)
  // and returns the committed head, so two first appends race safely and
  // every later append waits here for the one before it to commit.
  const result = await trx.raw(
    `insert into audit_heads (tenant, seq, hash) values (?, 0, ?)
     on conflict (tenant) do update set seq = audit_heads.seq
     returning seq, hash`,
    [tenant, GENESIS_HASH],
  );
  const head = result.rows[0] as { seq: number; hash: string } | undefined;
  if (!head) throw new Error(`no audit head for tenant ${tenant}`);
  return head;
}

// PostgreSQL text holds UTF-8, in which a lone UTF-16 surrogate becomes U+FFFD
// on the way in. Doing that replacement before hashing keeps the hash equal to
// what is stored, so odd input can never make an honest chain look tampered.
function storable(value: string | null): string | null {
  return value === null ? null : Buffer.from(value, 'utf8').toString('utf8');
}
