/**
 * Verifying a tenant's chain: recompute every hash in seq order, check each
 * link, and hold the chain against its signed checkpoints. Streams in batches,
 * so a log of millions of events verifies in bounded memory.
 *
 * It reports the first fault by seq and its kind:
 * - `gap`: a seq is missing (a deleted row);
 * - `deletion`: a row was deleted and the later ones renumbered to close the gap;
 * - `insertion`: a row was slipped in and the later ones renumbered;
 * - `reordering`: a row links to an event that sits later in the chain;
 * - `hash_mismatch`: a row's hash is not the hash of its contents and link;
 * - `checkpoint_mismatch`: a signature is invalid, or the event at a
 *   checkpoint's seq does not have the signed hash;
 * - `truncation`: a checkpoint (or the head row) names a seq past the last event.
 */
import type { Database } from '../platform/database';
import type { AuditEvent } from './append';
import { GENESIS_HASH, chainHash } from './chain';
import { checkpointStatement, listCheckpoints, type Checkpoint } from './checkpoints';
import { eventBatches } from './event-batches';
import { PARALLEL_FROM_EVENTS, defaultSegments, scanInSegments } from './segment-scan';
import type { AuditSigner } from './signing-key';

/** The kinds of fault verification tells apart. */
export type FaultKind =
  | 'gap'
  | 'deletion'
  | 'insertion'
  | 'reordering'
  | 'hash_mismatch'
  | 'checkpoint_mismatch'
  | 'truncation';

/** The first thing found wrong. */
export interface ChainFault {
  kind: FaultKind;
  /** The first bad seq. */
  seq: number;
  detail: string;
}

/** What verifying a tenant's chain found. */
export interface VerifyResult {
  tenant: string;
  ok: boolean;
  events: number;
  last_seq: number;
  head_hash: string;
  checkpoints: number;
  fault: ChainFault | null;
}

/** How a long chain is checked: in `segments` ranges at once from `parallelFrom` events. */
export interface VerifyOptions {
  parallelFrom?: number;
  segments?: number;
}

/**
 * Verifies `tenant`'s chain and checkpoints against `signer`'s public key.
 * A long chain is first checked in seq ranges side by side (segment-scan.ts);
 * only when that finds something does the walk in seq order below run, to
 * name the first fault and its kind.
 */
export async function verifyChain(
  db: Database,
  signer: AuditSigner,
  tenant: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  // Bound the scan by the head as it is now, read before the checkpoints, so
  // that appends made while we verify are not half-seen. A checkpoint written
  // in between was committed with its events, so the bound reaches it too; a
  // rewound head row never hides a checkpoint (they are read unbounded).
  const head: { seq: number } | undefined = await db('audit_heads').where({ tenant }).first('seq');
  const checkpoints = await listCheckpoints(db, tenant);
  const lastCheckpoint = checkpoints[checkpoints.length - 1]?.seq ?? 0;
  const upToSeq = head ? Math.max(head.seq, lastCheckpoint) : Number.MAX_SAFE_INTEGER;
  const faults: ChainFault[] = checkpoints.flatMap((c) => signatureFault(signer, c));

  const parallelFrom = options.parallelFrom ?? PARALLEL_FROM_EVENTS;
  const cleanHead =
    head !== undefined && upToSeq >= parallelFrom
      ? await scanInSegments(
          db,
          tenant,
          upToSeq,
          options.segments ?? defaultSegments(),
          checkpoints,
        )
      : null;
  const walked: Walk =
    cleanHead !== null
      ? { events: upToSeq, lastSeq: upToSeq, headHash: cleanHead, fault: null }
      : await walkInOrder(db, tenant, upToSeq, checkpoints);

  if (walked.fault) faults.push(walked.fault);
  else faults.push(...truncationFaults(checkpoints, head?.seq, walked.lastSeq));
  const fault = faults.reduce<ChainFault | null>((a, b) => (a && a.seq <= b.seq ? a : b), null);
  return {
    tenant,
    ok: fault === null,
    events: walked.events,
    last_seq: walked.lastSeq,
    head_hash: walked.headHash,
    checkpoints: checkpoints.length,
    fault,
  };
}

/** How far a walk along the chain got, and the fault that stopped it. */
interface Walk {
  events: number;
  lastSeq: number;
  headHash: string;
  fault: ChainFault | null;
}

// Walks the chain in seq order up to `upToSeq`, stopping at the first fault.
async function walkInOrder(
  db: Database,
  tenant: string,
  upToSeq: number,
  checkpoints: Checkpoint[],
): Promise<Walk> {
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let events = 0;
  let lastSeq = 0;
  let prev = GENESIS_HASH;
  let prevPrev: string | null = null;
  const walk = (fault: ChainFault | null): Walk => ({ events, lastSeq, headHash: prev, fault });

  for await (const batch of eventBatches(db, tenant, { upToSeq })) {
    for (const row of batch) {
      // The clean path is one hash and two comparisons; only a row that fails
      // them pays for working out what kind of fault it is.
      const clean =
        row.seq === lastSeq + 1 && row.prev_hash === prev && chainHash(prev, row) === row.hash;
      if (!clean) {
        const fault = await linkFault(db, row, lastSeq + 1, prev, prevPrev);
        if (fault) return walk(fault);
      }
      const checkpoint = bySeq.get(row.seq);
      if (checkpoint && checkpoint.hash !== row.hash) {
        return walk({
          kind: 'checkpoint_mismatch',
          seq: row.seq,
          detail: 'the event hash differs from the signed checkpoint',
        });
      }
      events += 1;
      lastSeq = row.seq;
      prevPrev = prev;
      prev = row.hash;
    }
  }
  return walk(null);
}

function signatureFault(signer: AuditSigner, checkpoint: Checkpoint): ChainFault[] {
  // LIMITATION: only the current signing key is known, so after a key rotation
  // older checkpoints report checkpoint_mismatch; keep the old key's exports
  // and verify them offline with that key until rotation keeps a key history.
  const valid =
    checkpoint.key_id === signer.keyId &&
    signer.verify(checkpointStatement(checkpoint), checkpoint.signature);
  if (valid) return [];
  return [{ kind: 'checkpoint_mismatch', seq: checkpoint.seq, detail: 'invalid signature' }];
}

// Classifies what is wrong with `row`, expected at `expected` after a chain
// whose last two hashes are `prev` and `prevPrev`; null when it is fine.
async function linkFault(
  db: Database,
  row: AuditEvent,
  expected: number,
  prev: string,
  prevPrev: string | null,
): Promise<ChainFault | null> {
  if (row.seq !== expected) {
    return { kind: 'gap', seq: expected, detail: `next event found is ${row.seq}` };
  }
  const selfOk = chainHash(row.prev_hash, row) === row.hash;
  const linkOk = row.prev_hash === prev;
  if (selfOk && linkOk) return null;
  if (linkOk) return { kind: 'hash_mismatch', seq: row.seq, detail: 'contents do not match hash' };

  // The link is broken: work out how, on this one row, so that the clean path
  // stays a single hash per event.
  if (prevPrev !== null && row.prev_hash === prevPrev && sameEventAt(row, row.seq - 1)) {
    return { kind: 'insertion', seq: row.seq - 1, detail: 'an event was slipped in here' };
  }
  const later = await db('audit_events')
    .where({ tenant: row.tenant, hash: row.prev_hash })
    .andWhere('seq', '>', row.seq)
    .first('seq');
  if (later) {
    return { kind: 'reordering', seq: row.seq, detail: `links to event ${later.seq}` };
  }
  // Checked after reordering: a swapped pair also sits one seq off, but the
  // event it links to is still there, later in the chain.
  if (sameEventAt(row, row.seq + 1)) {
    return { kind: 'deletion', seq: row.seq, detail: 'an event was removed and seqs closed up' };
  }
  return { kind: 'hash_mismatch', seq: row.seq, detail: 'previous hash does not link' };
}

// Whether `row` is an untouched event that originally had seq `seq`.
function sameEventAt(row: AuditEvent, seq: number): boolean {
  return seq > 0 && chainHash(row.prev_hash, { ...row, seq }) === row.hash;
}

function truncationFaults(
  checkpoints: Checkpoint[],
  headSeq: number | undefined,
  lastSeq: number,
): ChainFault[] {
  const faults: ChainFault[] = [];
  const beyond = checkpoints.find((c) => c.seq > lastSeq);
  if (beyond) {
    faults.push({
      kind: 'truncation',
      seq: lastSeq + 1,
      detail: `checkpoint at ${beyond.seq} is past the last event`,
    });
  }
  // The head row is not signed, but when it runs ahead of the events the tail
  // was cut without a checkpoint to prove it: still worth saying.
  if (headSeq !== undefined && headSeq > lastSeq) {
    faults.push({ kind: 'truncation', seq: lastSeq + 1, detail: `head says ${headSeq}` });
  }
  return faults;
}
