/**
 * Finishing many revocations in one job, for revocation at scale (emergency
 * revoke-all): one transaction locks a batch of one tenant's `revoking`
 * grants, revokes each credential in Vault, and records those Vault confirmed.
 * Per grant that leaves the Vault call and its audit event; the job, the
 * locks and the commit are paid once per batch.
 *
 * Grants another run holds (SKIP LOCKED) are left to it. A grant whose Vault
 * revocation fails gets its own revoke job with the usual back-off, so one
 * failure never holds the rest of the batch back. A crash rolls the whole
 * batch back and the job runs again: Vault answers "already gone" for what it
 * had revoked, which counts as done (invariant 7).
 */
import { logger } from '../platform/logger';
import type { Database } from '../platform/database';
import { addJobs } from '../jobs/job-queue';
import { recordRevoked, revokeCredential } from './complete-revocation';
import { revokeJobKey, type RevokeJobPayload } from './request-revocation';
import {
  REVOCABLE_COLUMNS,
  type Issuers,
  type RevocableGrant,
  type RevocationOutcome,
} from './revocation-types';

/** Grants per batch job: small enough that one job never holds locks for long. */
export const REVOKE_BATCH_SIZE = 25;

/** The batch job's payload. */
export interface RevokeBatchPayload {
  grant_ids: string[];
  outcome: RevocationOutcome;
}

/** Revokes and records a batch; returns how many were completed here. */
export async function completeRevocations(
  db: Database,
  issuers: Issuers,
  batch: RevokeBatchPayload,
): Promise<number> {
  const failed: string[] = [];
  const done = await db.transaction(async (trx) => {
    const grants: RevocableGrant[] = await trx('grants')
      .whereIn('id', batch.grant_ids)
      .andWhere({ status: 'revoking' })
      .orderBy('id')
      .forUpdate()
      .skipLocked()
      .select([...REVOCABLE_COLUMNS]);
    let completed = 0;
    for (const grant of grants) {
      try {
        const result = await revokeCredential(issuers, grant);
        await recordRevoked(trx, grant, batch.outcome, result);
        completed += 1;
      } catch (error) {
        failed.push(grant.id);
        logger.warn('revocation failed, will retry', {
          grant_id: grant.id,
          attempt: 1,
          error_code: (error as { code?: string }).code ?? 'unknown',
        });
      }
    }
    return completed;
  });

  await addJobs(
    db,
    failed.map((id) => ({
      name: 'grant-revoke' as const,
      payload: { grant_id: id, outcome: batch.outcome, attempt: 1 } satisfies RevokeJobPayload,
      jobKey: revokeJobKey(id),
      runAt: new Date(Date.now() + 1000),
    })),
  );
  return done;
}
