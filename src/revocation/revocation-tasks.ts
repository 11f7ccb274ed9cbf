/**
 * The broker's background tasks for graphile-worker, and their schedule.
 *
 * Retries of a Vault revocation: the task reschedules itself with a capped
 * exponential back-off (1 s, 2 s, 4 s ... up to `retryMaxSeconds`) and no
 * limit on attempts. graphile-worker's own retry back-off is exponential but
 * uncapped (e^attempt seconds, hours after a dozen failures), so a Vault
 * outage of an hour would leave revocations waiting for hours after Vault came
 * back; rescheduling ourselves keeps the wait bounded. graphile-worker's
 * retries remain for failures outside Vault (a lost database connection).
 */
import type { Task, TaskList } from 'graphile-worker';
import pLimit from 'p-limit';
import { expirePendingRequests } from '../access/expire-requests';
import { writeDueCheckpoints, type CheckpointSchedule } from '../audit/checkpoints';
import type { AuditSigner } from '../audit/signing-key';
import { relayAll } from '../jobs/job-outbox';
import { addJob } from '../jobs/job-queue';
import type { Database } from '../platform/database';
import { logger } from '../platform/logger';
import { completeRevocation } from './complete-revocation';
import { completeRevocations, type RevokeBatchPayload } from './complete-revocation-batch';
import { expireGrant, expireOverdueGrants } from './expire-grant';
import { revokeJobKey, type RevokeJobPayload } from './request-revocation';
import { warnOverdueRevocations } from './revocation-overdue';
import type { Issuers } from './revocation-types';

/** What the tasks are built from. */
export interface RevocationTaskDeps {
  db: Database;
  issuers: Issuers;
  /** Longest wait between two attempts of a failing revocation (seconds). */
  retryMaxSeconds: number;
  /** A revocation pending longer than this (seconds) is reported overdue. */
  overdueAfterSeconds: number;
  /** Vault revocations in flight at once from all batch jobs together. */
  vaultConcurrency: number;
  /** Signs audit checkpoints; without it the checkpoint task is not scheduled. */
  signer?: AuditSigner;
  checkpoints?: CheckpointSchedule;
}

/** Seconds to wait before attempt `attempt + 1` of a failing revocation. */
export function retryDelaySeconds(attempt: number, maxSeconds: number): number {
  return Math.min(2 ** Math.min(attempt, 30), maxSeconds);
}

/** The task handlers, by job name. */
export function revocationTasks(deps: RevocationTaskDeps): TaskList {
  const { db } = deps;
  const vaultLimit = pLimit(deps.vaultConcurrency);
  const grantExpire: Task = async (payload) => {
    const { grant_id } = payload as { grant_id: string };
    if (await expireGrant(db, grant_id)) logger.info('grant expiring', { grant_id });
  };

  const grantRevoke: Task = async (payload) => {
    const job = payload as RevokeJobPayload;
    try {
      const result = await completeRevocation(db, deps.issuers, job.grant_id, job.outcome);
      if (result !== 'not_revoking') {
        logger.info(`grant ${job.outcome}`, { grant_id: job.grant_id, vault_result: result });
      }
    } catch (error) {
      const attempt = (job.attempt ?? 0) + 1;
      const delay = retryDelaySeconds(attempt - 1, deps.retryMaxSeconds);
      logger.warn('revocation failed, will retry', {
        grant_id: job.grant_id,
        attempt,
        retry_in_seconds: delay,
        error_code: (error as { code?: string }).code ?? 'unknown',
      });
      // Replacing the keyed job while this one runs makes graphile-worker add
      // a fresh job; this one then completes.
      await addJob(db, 'grant-revoke', { ...job, attempt } satisfies RevokeJobPayload, {
        jobKey: revokeJobKey(job.grant_id),
        runAt: new Date(Date.now() + delay * 1000),
      });
    }
  };

  const tasks: TaskList = {
    'grant-expire': grantExpire,
    'grant-revoke': grantRevoke,
    'grant-revoke-batch': async (payload) => {
      await completeRevocations(db, deps.issuers, payload as RevokeBatchPayload, vaultLimit);
    },
    'job-outbox': async () => {
      const count = await relayAll(db);
      if (count > 0) logger.info('job outbox rows relayed by the worker', { count });
    },
    'grant-expire-sweep': async () => {
      const count = await expireOverdueGrants(db);
      if (count > 0) logger.warn('expired grants without an expiry job', { count });
    },
    'revocation-overdue': async () => {
      await warnOverdueRevocations(db, deps.overdueAfterSeconds);
    },
    'requests-expire': async () => {
      await expirePendingRequests(db);
    },
  };
  const { signer, checkpoints } = deps;
  if (signer && checkpoints) {
    tasks['audit-checkpoints'] = async () => {
      await writeDueCheckpoints(db, signer, checkpoints);
    };
  }
  return tasks;
}

/** The periodic tasks, as a graphile-worker crontab (one minute is its finest step). */
export function revocationCrontab(tasks: TaskList): string {
  const lines = [
    '* * * * * job-outbox',
    '* * * * * grant-expire-sweep',
    '* * * * * revocation-overdue',
    '* * * * * requests-expire',
  ];
  if (tasks['audit-checkpoints']) lines.push('*/5 * * * * audit-checkpoints');
  return lines.join('\n');
}
