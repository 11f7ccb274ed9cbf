/**
 * Jobs due later, queued through an outbox (migrations/010-job-outbox.ts).
 *
 * graphile-worker's add_job sends a NOTIFY so that idle workers wake at once,
 * and PostgreSQL commits the transactions that notified one after another,
 * each holding a database-wide lock through its WAL flush. A grant's expiry is
 * due at the grant's end, so waking anyone is pointless, and on the grant
 * flow's hot path those serialized commits were most of what activation
 * waited for. The activating statement therefore writes the expiry job to
 * `job_outbox` (same statement, same fate), and a relay moves outbox rows into
 * the queue in batches: one statement and one NOTIFY for every row written
 * meanwhile.
 *
 * Each process that writes to the outbox relays shortly after it wrote, and
 * every few seconds besides; the job worker also relays once a minute, so rows
 * left by a process that died before relaying reach the queue all the same.
 * Relays in several processes take disjoint rows (SKIP LOCKED), and a relay
 * that fails leaves its rows for the next.
 */
import type { Knex } from 'knex';
import { logger } from '../platform/logger';
import { UNLIMITED_ATTEMPTS, type JobName } from './job-queue';

/** Rows one relay statement moves at most. */
export const RELAY_BATCH = 500;

/**
 * The SQL call that puts `name` in the outbox, due at `runAt`, not yet made:
 * for the statement that writes what the job will finish (see
 * appendAuditEventsWith). Keyed jobs collapse as with add_job: the last one
 * written replaces a waiting one.
 */
export function outboxJobCall(
  db: Knex,
  name: JobName,
  payload: Record<string, unknown>,
  options: { runAt: Date; jobKey?: string; maxAttempts?: number },
): Knex.Raw {
  return db.raw('job_outbox_add(?, ?::json, ?, ?, ?::smallint)', [
    name,
    JSON.stringify(payload),
    options.runAt,
    options.jobKey ?? null,
    options.maxAttempts ?? UNLIMITED_ATTEMPTS,
  ]);
}

/**
 * Moves up to `limit` outbox rows into the job queue in one statement and
 * returns how many it took. Rows with the same job key collapse into the
 * latest, as one add_jobs call cannot touch one job twice.
 */
export async function relayOutbox(db: Knex, limit = RELAY_BATCH): Promise<number> {
  const result = await db.raw<{ rows: { moved: number }[] }>(
    `with moved as (
       delete from job_outbox where id in (
         select id from job_outbox order by id limit ? for update skip locked)
       returning id, task, payload, run_at, job_key, max_attempts),
     latest as (
       select distinct on (coalesce(job_key, id::text)) *
         from moved order by coalesce(job_key, id::text), id desc),
     -- Selected from below, which is what makes PostgreSQL run it; the gate
     -- keeps an empty outbox from sending a NOTIFY.
     queued as (
       select count(*) from graphile_worker.add_jobs(array(
         select (task, payload, null, run_at, max_attempts, job_key, null, null)
                  ::graphile_worker.job_spec
           from latest order by id))
        where exists (select from moved))
     select (select count(*) from moved)::int as moved, (select count from queued)`,
    [limit],
  );
  return result.rows[0]!.moved;
}

/** Moves outbox rows until none is left; returns how many it moved. */
export async function relayAll(db: Knex): Promise<number> {
  let total = 0;
  for (;;) {
    const moved = await relayOutbox(db);
    total += moved;
    if (moved < RELAY_BATCH) return total;
  }
}

/** Timing of a process's relay. */
export interface RelayTiming {
  /** Milliseconds from a nudge to the relay, gathering the rows written meanwhile. */
  delayMs: number;
  /** Milliseconds between relays without a nudge. */
  intervalMs: number;
}

const DEFAULT_TIMING: RelayTiming = { delayMs: 100, intervalMs: 5000 };

/** The relay of one process: nudged by whoever wrote to the outbox. */
export class JobOutboxRelay {
  private pending?: NodeJS.Timeout;
  private interval?: NodeJS.Timeout;
  private last: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly db: Knex,
    private readonly timing: RelayTiming = DEFAULT_TIMING,
  ) {}

  /** Relays now and then every `intervalMs`, until stop. */
  start(): this {
    this.interval = setInterval(() => this.nudge(), this.timing.intervalMs);
    this.interval.unref();
    this.nudge();
    return this;
  }

  /** Rows were written: relay them soon, with whatever else is written meanwhile. */
  nudge(): void {
    if (this.stopped || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.flush().catch((error: unknown) => {
        logger.warn('job outbox relay failed, will retry', {
          error_code: (error as { code?: string }).code ?? 'unknown',
        });
      });
    }, this.timing.delayMs);
  }

  /** Relays every row now (after a relay already running); returns how many moved. */
  flush(): Promise<number> {
    const run = this.last.then(() => relayAll(this.db));
    this.last = run.catch(() => undefined);
    return run;
  }

  /** Stops the timers and waits for a relay in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pending);
    clearInterval(this.interval);
    await this.last;
  }
}
