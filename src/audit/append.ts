/**
 * Appending to a tenant's audit chain, always with the change it records: in
 * the caller's transaction, or in the one statement that makes the change, so
 * that both commit together or not at all (fail closed).
 *
 * Appends to one tenant are serialised by locking that tenant's head row
 * (the UPDATE that moves it, or SELECT ... FOR UPDATE in a batch); different
 * tenants lock different rows and so append in parallel. The lock is held
 * until the transaction ends, which is what keeps sequence numbers gapless.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor, AuditAction } from './actions';
import { GENESIS_HASH, canonicalAroundSeq, chainHash, type ChainedEvent } from './chain';
import { EVENT_COLUMNS } from './event-batches';

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
  const [event] = await appendAuditEvents(trx, [entry]);
  return event!;
}

/**
 * Appends a few events of one tenant, in the order given, within `trx`, in
 * one round trip: for a step that records several things at once (a request
 * granted by policy records its creation, its approval and its grant).
 */
export async function appendAuditEvents(
  trx: Knex.Transaction,
  entries: AuditEntry[],
): Promise<AuditEvent[]> {
  return (await appendAuditEventsWith(trx, { changes: [] }, entries))!;
}

/** The writes of a step, made in the statement that records them. */
export interface StepWrites {
  /** INSERT or UPDATE builders, not yet run. */
  changes: Knex.QueryBuilder[];
  /**
   * Rows that may exist only if every change touched a row (a session opened
   * on a grant an UPDATE found still active): each is built from the WHERE
   * clause that gates it, into an INSERT ... SELECT ending with that clause.
   */
  gated?: ((where: string) => Knex.Raw)[];
  /** Calls of volatile SQL functions to make once the changes are made (a job to queue). */
  calls?: Knex.Raw[];
}

/**
 * Makes a step's writes and appends `entries` for them in one statement: the
 * changes run as PostgreSQL's data-modifying WITH queries, so a step that
 * writes a row or two and records them pays one round trip instead of one per
 * write. The events are appended, and the calls made, only when every change
 * touched a row; otherwise the answer is undefined. The changes that did touch
 * rows stand, so a change that may touch none (an UPDATE with a condition)
 * comes alone. With changes, `db` need not be a transaction: the one statement
 * commits or fails as a whole.
 */
export async function appendAuditEventsWith(
  db: Knex,
  writes: StepWrites,
  entries: AuditEntry[],
): Promise<AuditEvent[] | undefined> {
  const { changes, gated = [], calls = [] } = writes;
  if (!db.isTransaction && changes.length === 0) {
    throw new Error('appendAudit needs a transaction');
  }
  const tenant = entries[0]?.tenant;
  if (entries.some((entry) => entry.tenant !== tenant)) {
    throw new Error('appendAuditEvents takes the events of one tenant');
  }
  if (tenant === undefined) {
    if (changes.length + gated.length + calls.length > 0) {
      throw new Error('a write needs the events recording it');
    }
    return [];
  }
  const drafts = entries.map(draftOf);

  const rows = await appendRows(db, tenant, drafts, { changes, gated, calls });
  if (rows.length === 0 && changes.length > 0) return undefined;

  // The database finished each hash; recompute it here with the definition the
  // verifiers use, so that any disagreement fails the append (and with it the
  // change) instead of writing an event that would later look tampered with.
  return drafts.map((draft, i) => {
    const row = rows[i];
    if (!row) throw new Error('audit append returned fewer events than it was given');
    const event: ChainedEvent = { ...draft, seq: row.seq };
    if (chainHash(row.prev_hash, event) !== row.hash) {
      throw new Error('audit hash computed by the database differs from chainHash');
    }
    return { ...event, prev_hash: row.prev_hash, hash: row.hash };
  });
}

// LIMITATION: the head lock is held until the caller commits, so one tenant's
// appends run one commit at a time: its rate is capped near 1 / commit latency
// (see npm run bench:audit). Gapless seqs need this; busy tenants share the cap.
//
// One round trip under the lock: audit_append_events (migrations/009) calls
// audit_append (migrations/008) for each event in order, which locks the
// tenant's head row (making it at genesis for a first event), takes the next
// seq, hashes prev_hash || canonical event with that seq spliced in (the
// canonical text comes from Node as bytes, so the server's encoding plays no
// part), inserts the event and moves the head.
//
// The step's changes gate the rest: a WHERE without columns is evaluated once,
// before the function runs, so a change that touched no row appends nothing.
// Each gated insert and each call sits in a WITH query of its own, gated the
// same way; PostgreSQL runs such a query once, when the WHERE below first
// reads it (a data-modifying one runs to completion whether read or not).
async function appendRows(
  db: Knex,
  tenant: string,
  drafts: Omit<ChainedEvent, 'seq'>[],
  writes: Required<StepWrites>,
) {
  const around = drafts.map((draft) => canonicalAroundSeq(draft));
  const column = <T>(pick: (draft: Omit<ChainedEvent, 'seq'>) => T) => drafts.map(pick);
  const made = writes.changes.map((change, i) => ({ name: `change_${i}`, ...change.toSQL() }));
  const changed = made.map(({ name }) => `exists (select from ${name})`);
  const onChange = changed.length > 0 ? `where ${changed.join(' and ')}` : '';
  const inserted = writes.gated.map((insert, i) => ({
    name: `gated_${i}`,
    ...insert(onChange).toSQL(),
  }));
  const called = writes.calls.map((call, i) => ({ name: `call_${i}`, ...call.toSQL() }));
  const withs = [
    ...[...made, ...inserted].map(({ name, sql }) => `${name} as (${sql} returning 1)`),
    ...called.map(({ name, sql }) => `${name} as (select ${sql} ${onChange})`),
  ];
  const gates = [...made, ...inserted, ...called].map(({ name }) => `exists (select from ${name})`);
  const result = await db.raw(
    `${withs.length > 0 ? `with ${withs.join(', ')}` : ''}
     select event_seq as seq, event_prev_hash as prev_hash, event_hash as hash
     from audit_append_events(?, ?::bytea[], ?::bytea[], ?::uuid[], ?::text[], ?::text[],
       ?::text[], ?::text[], ?::text[], ?::jsonb[])
     ${gates.length > 0 ? `where ${gates.join(' and ')}` : ''}`,
    [
      ...[...made, ...inserted, ...called].flatMap(({ bindings }) => bindings),
      tenant,
      around.map(([before]) => Buffer.from(before, 'utf8')),
      around.map(([, after]) => Buffer.from(after, 'utf8')),
      column((d) => d.id),
      column((d) => d.time),
      column((d) => d.actor_kind),
      column((d) => d.actor_id),
      column((d) => d.action),
      column((d) => d.subject),
      column((d) => JSON.stringify(d.data)),
    ] as unknown as Knex.RawBinding[],
  );
  return result.rows as { seq: number; prev_hash: string; hash: string }[];
}

/**
 * Appends several events, within `trx`, each tenant's in the order given.
 * The chains are computed here in Node with the verifiers' own chainHash and
 * written with one statement locking every head involved (in tenant order, so
 * that concurrent callers cannot deadlock), one insert, and one statement
 * moving every head: a handful of round trips however many events
 * and tenants, which is what lets an emergency mark ten thousand grants at once.
 * Returns the events in the order of `entries`.
 */
export async function appendAuditAll(
  trx: Knex.Transaction,
  entries: AuditEntry[],
): Promise<AuditEvent[]> {
  if (!trx.isTransaction) throw new Error('appendAuditAll needs a transaction');
  if (entries.length === 0) return [];
  const tenants = [...new Set(entries.map((entry) => entry.tenant))].sort();
  await trx.raw(
    `insert into audit_heads (tenant, seq, hash)
     select t, 0, ? from unnest(?::text[]) as t
     on conflict (tenant) do nothing`,
    [GENESIS_HASH, tenants],
  );
  const heads: { tenant: string; seq: number; hash: string }[] = await trx('audit_heads')
    .whereRaw('tenant = any(?::text[])', [tenants])
    .orderBy('tenant')
    .forUpdate()
    .select('tenant', 'seq', 'hash');
  const head = new Map(heads.map((row) => [row.tenant, { seq: row.seq, hash: row.hash }]));

  const events: AuditEvent[] = entries.map((entry) => {
    const chain = head.get(entry.tenant)!;
    const event: ChainedEvent = { ...draftOf(entry), seq: chain.seq + 1 };
    const hash = chainHash(chain.hash, event);
    const stored = { ...event, prev_hash: chain.hash, hash };
    head.set(entry.tenant, { seq: event.seq, hash });
    return stored;
  });
  // One INSERT for all of them: a column of values per array parameter, so the
  // statement stays the same size however many events there are.
  const columns = EVENT_COLUMNS.map((column) =>
    column === 'data' ? events.map((e) => JSON.stringify(e.data)) : events.map((e) => e[column]),
  );
  await trx.raw(
    `insert into audit_events (${EVENT_COLUMNS.join(', ')})
     select * from unnest(?::text[], ?::bigint[], ?::uuid[], ?::text[], ?::text[], ?::text[],
       ?::text[], ?::text[], ?::jsonb[], ?::text[], ?::text[])`,
    // node-postgres sends arrays holding nulls; knex's types only know arrays of one kind.
    columns as unknown as Knex.RawBinding[],
  );
  const moved = [...head.entries()];
  await trx.raw(
    `update audit_heads as h set seq = m.seq, hash = m.hash
     from unnest(?::text[], ?::bigint[], ?::text[]) as m(tenant, seq, hash)
     where h.tenant = m.tenant`,
    [moved.map(([tenant]) => tenant), moved.map(([, c]) => c.seq), moved.map(([, c]) => c.hash)],
  );
  return events;
}

function draftOf(entry: AuditEntry): Omit<ChainedEvent, 'seq'> {
  return {
    tenant: entry.tenant,
    id: randomUUID(),
    time: new Date().toISOString(),
    actor_kind: entry.actor.kind,
    actor_id: storable(entry.actor.id),
    action: entry.action,
    subject: storable(entry.subject ?? null),
    // Round-trip through JSON so that what is hashed is exactly what jsonb stores.
    data: JSON.parse(JSON.stringify(entry.data ?? {})),
  };
}

// PostgreSQL text holds UTF-8, in which a lone UTF-16 surrogate becomes U+FFFD
// on the way in. Doing that replacement before hashing keeps the hash equal to
// what is stored, so odd input can never make an honest chain look tampered.
function storable(value: string | null): string | null {
  return value === null ? null : Buffer.from(value, 'utf8').toString('utf8');
}
