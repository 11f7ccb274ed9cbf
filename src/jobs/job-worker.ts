/**
 * Runs the broker's background jobs with graphile-worker: any number of
 * broker processes share one queue in PostgreSQL, and each job runs once
 * (row locks in the queue, not a home-made scheduler).
 *
 * One thing graphile-worker leaves to its host: a job locked by a process
 * that died stays locked for four hours. The broker's jobs are written so
 * that running one twice is harmless (each re-checks its grant under a row
 * lock), so jobs locked longer than `lockTimeoutSeconds` are released and
 * run again, here and in every other broker process.
 */
import { Logger, makeWorkerUtils, run, type TaskList, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { logger } from '../platform/logger';

/** How the job worker runs. */
export interface JobWorkerOptions {
  databaseUrl: string;
  tasks: TaskList;
  /** graphile-worker crontab lines for periodic tasks. */
  crontab: string;
  /** Jobs run at once by this process. */
  concurrency: number;
  /** Milliseconds between polls for jobs scheduled in the future. */
  pollIntervalMs: number;
  /** A job locked longer than this (seconds) is taken to be held by a dead process. */
  lockTimeoutSeconds: number;
}

/** A running job worker. */
export interface JobWorker {
  /** Lets running jobs finish, then stops. */
  stop(): Promise<void>;
}

/** graphile-worker's log lines, through the broker's logger. */
export const workerLogger = new Logger((scope) => (level, message, meta) => {
  const fields = { task: scope.taskIdentifier, job_id: scope.jobId, ...(meta ?? {}) };
  const mapped = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
  logger.log(mapped, `job worker: ${message}`, fields);
});

/** Starts the worker (the queue's schema is migrated first if needed). */
export async function startJobWorker(options: JobWorkerOptions): Promise<JobWorker> {
  // The pool covers every concurrent job plus the worker's own listening
  // connection and the stale-lock check.
  const pgPool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.concurrency + 3,
    application_name: 'jit-broker-jobs',
  });
  // A dropped idle connection must not crash the broker; graphile-worker
  // reconnects, and the next query on it fails loudly.
  const lost = (error: Error) => logger.warn('job queue connection lost', { error });
  pgPool.on('error', lost);
  pgPool.on('connect', (client) => client.on('error', lost));
  const utils = await makeWorkerUtils({ pgPool, logger: workerLogger });
  await utils.migrate();
  await releaseStaleLocks(pgPool, utils, options.lockTimeoutSeconds);

  const runner = await run({
    pgPool,
    logger: workerLogger,
    taskList: options.tasks,
    crontab: options.crontab,
    concurrency: options.concurrency,
    pollInterval: options.pollIntervalMs,
    noHandleSignals: true,
  });
  const checkEvery = Math.max(1, Math.floor(options.lockTimeoutSeconds / 2)) * 1000;
  const timer = setInterval(() => {
    releaseStaleLocks(pgPool, utils, options.lockTimeoutSeconds).catch((error: unknown) =>
      logger.warn('stale job lock check failed', { error }),
    );
  }, checkEvery);
  timer.unref();

  return {
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await utils.release();
      await pgPool.end();
    },
  };
}

// LIMITATION: a worker is judged dead by how long it has held a job, not by
// a heartbeat: a job still running after JOB_LOCK_TIMEOUT (a Vault call hung
// beyond its own timeout) is released and may start a second time. The
// broker's jobs tolerate that (they re-check under a row lock), but an
// operator sees the job run twice in the log.
/**
 * Releases jobs whose worker has held them past the timeout: that worker's
 * process is gone (killed, crashed, cut off), and its jobs must not wait four
 * hours for graphile-worker's own reset.
 */
export async function releaseStaleLocks(
  pgPool: pg.Pool,
  utils: WorkerUtils,
  lockTimeoutSeconds: number,
): Promise<number> {
  const { rows } = await pgPool.query<{ locked_by: string }>(
    `select distinct locked_by from graphile_worker.jobs
      where locked_by is not null and locked_at < now() - make_interval(secs => $1)`,
    [lockTimeoutSeconds],
  );
  const workerIds = rows.map((row) => row.locked_by);
  if (workerIds.length === 0) return 0;
  logger.warn('releasing jobs of stale workers', { worker_ids: workerIds });
  await utils.forceUnlockWorkers(workerIds);
  return workerIds.length;
}
