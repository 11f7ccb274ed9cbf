/**
 * Starts this process's share of the background work: grant expiry, Vault
 * revocations with retries, overdue warnings, request expiry and audit
 * checkpoints, on the shared PostgreSQL job queue.
 */
import { auditSigner } from '../audit/signing-key';
import { startJobWorker, type JobWorker } from '../jobs/job-worker';
import type { Config } from '../platform/config';
import { connectDatabase } from '../platform/database';
import { revocationCrontab, revocationTasks } from './revocation-tasks';
import type { Issuers } from './revocation-types';

/** Periodic checkpoints: after this many events, or this old with events since. */
const CHECKPOINTS = { everyEvents: 1000, olderThanSeconds: 3600 };

/** Starts the worker; its stop lets running jobs finish first. */
export async function startRevocationWorker(deps: {
  config: Config;
  databaseUrl: string;
  issuers: Issuers;
}): Promise<JobWorker> {
  const { config } = deps;
  // A revocation holds its connection across the Vault call (see
  // complete-revocation.ts), so the jobs get a pool of their own, one
  // connection per job in flight, apart from the HTTP side's pool.
  const db = connectDatabase(deps.databaseUrl, { poolMax: config.jobs.concurrency + 2 });
  const tasks = revocationTasks({
    db,
    issuers: deps.issuers,
    retryMaxSeconds: config.revocation.retryMax,
    overdueAfterSeconds: config.revocation.overdueAfter,
    vaultConcurrency: config.jobs.concurrency,
    signer: auditSigner(config),
    checkpoints: CHECKPOINTS,
  });
  try {
    const worker = await startJobWorker({
      databaseUrl: deps.databaseUrl,
      tasks,
      crontab: revocationCrontab(tasks),
      concurrency: config.jobs.concurrency,
      pollIntervalMs: config.jobs.pollIntervalMs,
      lockTimeoutSeconds: config.jobs.lockTimeout,
    });
    return {
      stop: async () => {
        await worker.stop();
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
