/**
 * Reads a tenant's events in seq order, one batch at a time (keyset pagination
 * on the primary key), so that verifying or exporting a log of any length
 * holds only one batch in memory and never a long-running cursor.
 */
import type { Database } from '../platform/database';
import type { AuditEvent } from './append';

/** Rows per batch: large enough that round trips do not dominate hashing. */
export const BATCH_SIZE = 5000;

/** The columns of an event, chain fields included, in the order exports use. */
export const EVENT_COLUMNS = [
  'tenant',
  'seq',
  'id',
  'time',
  'actor_kind',
  'actor_id',
  'action',
  'subject',
  'data',
  'prev_hash',
  'hash',
] as const;

/** Options for eventBatches. */
export interface BatchOptions {
  /** Start after this seq (0: from the beginning). */
  afterSeq?: number;
  /** Stop at this seq, inclusive (a snapshot bound for exports). */
  upToSeq?: number;
  batchSize?: number;
}

/** Yields `tenant`'s events in ascending seq, in batches. */
export async function* eventBatches(
  db: Database,
  tenant: string,
  options: BatchOptions = {},
): AsyncGenerator<AuditEvent[]> {
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const fetch = (after: number) => {
    const query = db('audit_events')
      .where({ tenant })
      .andWhere('seq', '>', after)
      .orderBy('seq')
      .limit(batchSize)
      .select(EVENT_COLUMNS);
    if (options.upToSeq !== undefined) query.andWhere('seq', '<=', options.upToSeq);
    return query.then((rows) => rows as AuditEvent[]);
  };

  let pending = fetch(options.afterSeq ?? 0);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) return;
    const more = rows.length === batchSize;
    // Ask for the next batch before the caller works on this one, so that the
    // database reads while we hash or write (one batch ahead, no more).
    if (more) {
      pending = fetch(rows[rows.length - 1]!.seq);
      // If the caller stops early, nobody awaits this read: mark its failure handled.
      pending.catch(() => undefined);
    }
    yield rows;
    if (!more) return;
  }
}
