/**
 * Checkpoints: signed statements of a tenant chain's head (DESIGN.md section 7).
 * A checkpoint held outside the database (in an export, a customer's archive)
 * makes a cut-off tail detectable, which the chain alone cannot show.
 *
 * Writing a checkpoint first appends an `audit.checkpoint` event, then signs the
 * head that event produced, all in one transaction: the checkpoint covers its
 * own event, and a tenant with no new events since is not due again.
 */
import { canonicalize } from 'json-canonicalize';
import type { Knex } from 'knex';
import type { Database } from '../platform/database';
import { SYSTEM, type Actor } from './actions';
import { appendAudit } from './append';
import type { AuditSigner } from './signing-key';

/** A stored checkpoint. */
export interface Checkpoint {
  tenant: string;
  seq: number;
  hash: string;
  time: string;
  key_id: string;
  /** Base64 Ed25519 signature over `checkpointStatement`. */
  signature: string;
}

/** The exact text a checkpoint signature covers: RFC 8785 JSON of its fields. */
export function checkpointStatement(checkpoint: Omit<Checkpoint, 'signature'>): string {
  return canonicalize({
    tenant: checkpoint.tenant,
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    time: checkpoint.time,
    key_id: checkpoint.key_id,
  });
}

/** Signs and stores a checkpoint of `tenant`'s head now; returns it. */
export async function writeCheckpoint(
  db: Database,
  signer: AuditSigner,
  tenant: string,
  actor: Actor = SYSTEM,
): Promise<Checkpoint> {
  return db.transaction((trx) => checkpointIn(trx, signer, tenant, actor));
}

async function checkpointIn(
  trx: Knex.Transaction,
  signer: AuditSigner,
  tenant: string,
  actor: Actor,
): Promise<Checkpoint> {
  // appendAudit holds the head lock until commit, so nothing slips in between
  // the event and the statement signed over it.
  const event = await appendAudit(trx, {
    tenant,
    actor,
    action: 'audit.checkpoint',
    data: { key_id: signer.keyId },
  });
  const unsigned = {
    tenant,
    seq: event.seq,
    hash: event.hash,
    time: new Date().toISOString(),
    key_id: signer.keyId,
  };
  const checkpoint = { ...unsigned, signature: signer.sign(checkpointStatement(unsigned)) };
  await trx('audit_checkpoints').insert(checkpoint);
  return checkpoint;
}

/** When a tenant is due for a periodic checkpoint. */
export interface CheckpointSchedule {
  /** Due once this many events were appended since the last checkpoint. */
  everyEvents: number;
  /** Due once the last checkpoint (or the first event) is this old and events followed. */
  olderThanSeconds: number;
}

/**
 * Writes a checkpoint for every tenant that is due (the periodic job calls
 * this); returns the checkpoints written. A tenant with no event since its
 * last checkpoint is never due.
 */
export async function writeDueCheckpoints(
  db: Database,
  signer: AuditSigner,
  schedule: CheckpointSchedule,
  now = new Date(),
): Promise<Checkpoint[]> {
  const cutoff = new Date(now.getTime() - schedule.olderThanSeconds * 1000).toISOString();
  const due: { tenant: string }[] = await db
    .select('h.tenant')
    .from('audit_heads as h')
    .joinRaw(
      `left join lateral (
         select c.seq, c.time from audit_checkpoints c
         where c.tenant = h.tenant order by c.seq desc limit 1
       ) as last on true`,
    )
    .whereRaw('h.seq > coalesce(last.seq, 0)')
    .andWhere((q) =>
      q.whereRaw('h.seq - coalesce(last.seq, 0) >= ?', [schedule.everyEvents]).orWhereRaw(
        `coalesce(last.time,
             (select e.time from audit_events e where e.tenant = h.tenant and e.seq = 1)) < ?`,
        [cutoff],
      ),
    )
    .orderBy('h.tenant');

  const written: Checkpoint[] = [];
  for (const { tenant } of due) written.push(await writeCheckpoint(db, signer, tenant));
  return written;
}

/** Every checkpoint of a tenant, oldest first. Few per tenant, so read at once. */
export async function listCheckpoints(db: Database, tenant: string): Promise<Checkpoint[]> {
  return db('audit_checkpoints')
    .where({ tenant })
    .orderBy('seq')
    .select('tenant', 'seq', 'hash', 'time', 'key_id', 'signature');
}
