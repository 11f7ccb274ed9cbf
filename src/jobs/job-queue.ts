/**
 * Queueing background jobs on graphile-worker's PostgreSQL queue, inside the
 * caller's transaction: a state change and the job that finishes it commit
 * together, so a crash can never keep one and forget the other.
 *
 * Jobs go in through graphile-worker's SQL function `graphile_worker.add_job`
 * (its documented way to add jobs from SQL), on the caller's connection.
 */
import type { Knex } from 'knex';

/**
 * graphile-worker keeps max_attempts in a smallint; its largest value stands
 * for "no limit". With graphile-worker's back-off (e^attempts seconds, at most
 * about six hours) that many attempts outlast any outage by decades, and the
 * revoke job does not spend attempts on Vault failures at all: it reschedules
 * itself (see src/revocation/revocation-tasks.ts).
 */
export const UNLIMITED_ATTEMPTS = 32_767;

/** Names of the broker's job tasks. */
export type JobName =
  | 'grant-expire'
  | 'grant-revoke'
  | 'grant-revoke-batch'
  | 'revocation-overdue'
  | 'requests-expire'
  | 'audit-checkpoints';

/** How a job is queued. */
export interface JobOptions {
  /** A job with the same key replaces the waiting one: duplicates collapse. */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** graphile-worker's job_key_mode; 'replace' unless said otherwise. */
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
}

/** Queues `name` with `payload` through `trx` (a transaction or the database). */
export async function addJob(
  trx: Knex | Knex.Transaction,
  name: JobName,
  payload: Record<string, unknown>,
  options: JobOptions = {},
): Promise<void> {
  await trx.select(jobCall(trx, name, payload, options));
}

/**
 * The SQL call that queues `name`, not yet made: for a statement that queues
 * a job along with other writes (see appendAuditEventsWith).
 */
export function jobCall(
  db: Knex,
  name: JobName,
  payload: Record<string, unknown>,
  options: JobOptions = {},
): Knex.Raw {
  return db.raw(
    `graphile_worker.add_job(
       identifier => ?, payload => ?::json, run_at => ?, max_attempts => ?,
       job_key => ?, job_key_mode => ?)`,
    [
      name,
      JSON.stringify(payload),
      options.runAt ?? null,
      options.maxAttempts ?? UNLIMITED_ATTEMPTS,
      options.jobKey ?? null,
      options.jobKeyMode ?? 'replace',
    ],
  );
}

/** One job of a batch for addJobs. */
export interface JobSpec extends JobOptions {
  name: JobName;
  payload: Record<string, unknown>;
}

/**
 * Queues many jobs in one statement (graphile-worker's `add_jobs`): revoking
 * thousands of grants at once must not cost a round trip per job.
 */
export async function addJobs(trx: Knex | Knex.Transaction, specs: JobSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const rows = specs.map((spec) => ({
    identifier: spec.name,
    payload: spec.payload,
    run_at: spec.runAt?.toISOString() ?? null,
    max_attempts: spec.maxAttempts ?? UNLIMITED_ATTEMPTS,
    job_key: spec.jobKey ?? null,
  }));
  await trx.raw(
    `select count(*) from graphile_worker.add_jobs(array(
       select json_populate_recordset(null::graphile_worker.job_spec, ?::json)))`,
    [JSON.stringify(rows)],
  );
}
