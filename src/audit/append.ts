/**
 * Appending to a tenant's audit chain, always inside the caller's transaction:
 * the state change and its event commit together or not at all (fail closed).
 *
 * Appends to one tenant are serialised by locking that tenant's head row
 * (SELECT ... FOR UPDATE); different tenants lock different rows and so append
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
    actor_id: entry.actor.id,
    action: entry.action,
    subject: entry.subject ?? null,
    // Round-trip through JSON so that what is hashed is exactly what jsonb stores.
    data: JSON.parse(JSON.stringify(entry.data ?? {})),
  };
  const hash = chainHash(head.hash, event);

  await trx('audit_events').insert({
    ...event,
    data: JSON.stringify(event.data),
    prev_hash: head.hash,
    hash,
  });
  await trx('audit_heads').where({ tenant: entry.tenant }).update({ seq: event.seq, hash });
  return { ...event, prev_hash: head.hash, hash };
}

/** Appends several events in order (e.g. one per tenant touched by offboarding). */
export async function appendAuditAll(trx: Knex.Transaction, entries: AuditEntry[]) {
  const events: AuditEvent[] = [];
  for (const entry of entries) events.push(await appendAudit(trx, entry));
  return events;
}

async function lockHead(trx: Knex.Transaction, tenant: string) {
  // The head row is created on a tenant's first event; ON CONFLICT makes two
  // first appends race safely, then FOR UPDATE serialises them.
  await trx.raw(
    'insert into audit_heads (tenant, seq, hash) values (?, 0, ?) on conflict (tenant) do nothing',
    [tenant, GENESIS_HASH],
  );
  const head = await trx('audit_heads').where({ tenant }).forUpdate().first('seq', 'hash');
  if (!head) throw new Error(`no audit head for tenant ${tenant}`);
  return head as { seq: number; hash: string };
}
