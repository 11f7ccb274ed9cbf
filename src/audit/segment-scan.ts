/**
 * Checking a long chain in parallel. Every event stores the hash it links to,
 * so each event's own check (its hash over its contents and prev_hash) needs
 * nothing from the events before it: the chain splits into seq ranges that
 * are checked side by side, each on a thread and a connection of its own, and
 * the ranges are then joined by comparing the hashes at their edges.
 *
 * A range is "clean" only when every seq in it is present, each event links
 * to the one before, its hash is right and every checkpoint inside it names
 * that hash: the very check the sequential verifier makes. Anything else makes
 * the whole scan unclean, and the verifier then walks the chain in order to
 * name the first fault and its kind, so faults are always reported the same way.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { Database } from '../platform/database';
import type { AuditEvent } from './append';
import { GENESIS_HASH, chainHash } from './chain';
import type { Checkpoint } from './checkpoints';
import { eventBatches } from './event-batches';

/** A seq range to check, both ends included, with the checkpoints inside it. */
export interface SegmentTask {
  tenant: string;
  from: number;
  to: number;
  /** Signed hash by seq, for the checkpoints in [from, to]. */
  checkpoints: [number, string][];
}

/** What checking a range found. */
export type SegmentScan =
  { clean: true; firstPrevHash: string; lastHash: string } | { clean: false };

/** Checks one range's events in seq order (see the module comment). */
export async function scanSegment(
  batches: AsyncIterable<AuditEvent[]>,
  task: SegmentTask,
): Promise<SegmentScan> {
  const signed = new Map(task.checkpoints);
  let expected = task.from;
  let firstPrevHash: string | null = null;
  let prev: string | null = null;
  for await (const batch of batches) {
    for (const row of batch) {
      const linked = prev === null || row.prev_hash === prev;
      if (row.seq !== expected || !linked || chainHash(row.prev_hash, row) !== row.hash) {
        return { clean: false };
      }
      const checkpoint = signed.get(row.seq);
      if (checkpoint !== undefined && checkpoint !== row.hash) return { clean: false };
      firstPrevHash ??= row.prev_hash;
      prev = row.hash;
      expected += 1;
    }
  }
  if (expected !== task.to + 1 || firstPrevHash === null || prev === null) return { clean: false };
  return { clean: true, firstPrevHash, lastHash: prev };
}

/** Chains shorter than this are checked in order only: threads would cost more than they save. */
export const PARALLEL_FROM_EVENTS = 100_000;

/**
 * Checks seqs 1..`upTo` of `tenant` in `segments` ranges side by side; the
 * head hash when all of it is clean and joined, else null.
 */
export async function scanInSegments(
  db: Database,
  tenant: string,
  upTo: number,
  segments: number,
  checkpoints: readonly Checkpoint[],
): Promise<string | null> {
  const size = Math.ceil(upTo / segments);
  const tasks: SegmentTask[] = [];
  for (let from = 1; from <= upTo; from += size) {
    const to = Math.min(upTo, from + size - 1);
    const inside = checkpoints.filter((c) => c.seq >= from && c.seq <= to);
    tasks.push({ tenant, from, to, checkpoints: inside.map((c) => [c.seq, c.hash]) });
  }
  const scans = await Promise.all(tasks.map((task) => runSegment(db, task)));

  let prev = GENESIS_HASH;
  for (const scan of scans) {
    if (!scan.clean || scan.firstPrevHash !== prev) return null;
    prev = scan.lastHash;
  }
  return prev;
}

/** How many ranges to check at once on this machine. */
export function defaultSegments(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

// The compiled worker next to this module. Running from TypeScript sources
// (the test suite under ts-jest) there is none, and the ranges are checked
// on this thread instead, concurrently: the same code, without the threads.
const WORKER_SCRIPT = join(__dirname, 'verify-worker.js');

// Threads (each with a database connection of its own, outside the pool)
// running at once in this process, however many verifications are under way:
// several auditors verifying long chains share the machine's cores.
const threads = pLimit(defaultSegments());

function runSegment(db: Database, task: SegmentTask): Promise<SegmentScan> {
  if (!existsSync(WORKER_SCRIPT)) {
    return scanSegment(eventBatches(db, task.tenant, segmentBounds(task)), task);
  }
  return threads(() => runWorker(db.client.config.connection, task));
}

function runWorker(connection: unknown, task: SegmentTask): Promise<SegmentScan> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: { connection, task } });
    worker.once('message', (scan: SegmentScan) => resolve(scan));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`audit verify worker exited with ${code}`));
    });
  });
}

/** The event-batch bounds of a range. */
export function segmentBounds(task: SegmentTask) {
  return { afterSeq: task.from - 1, upToSeq: task.to };
}
