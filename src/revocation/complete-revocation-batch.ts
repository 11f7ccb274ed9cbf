/**
 * Finishing many revocations in one job, for revocation at scale (emergency
 * revoke-all, offboarding): one transaction locks a batch of `revoking`
 * grants, revokes each credential in Vault, and records those Vault confirmed.
 * Per grant that leaves the Vault call and its audit event; the job, the
 * locks, the statements and the commit are paid once per batch.
 *
 * A batch's Vault calls run side by side, through a limit the worker shares
 * between all its batch jobs (`vaultLimit`), so that Vault sees a steady
 * number of revocations in flight however the grants fall into batches.
 *
 * Grants another run holds (SKIP LOCKED) are left to it. A grant whose Vault
 * revocation fails gets its own revoke job with the usual back-off, so one
 * failure never holds the rest of the batch back. A crash rolls the whole
 * batch back and the job runs again: Vault answers "already gone" for what it
 * had revoked, which counts as done (invariant 7).
 */
// LIMITATION: every grant still costs database work next to its Vault call
// (the mark, the row lock, the status update, two audit events, its share of a
// job). On a 2-core machine that work competes for CPU with the Vault client
// and the stand-in, which use most of both cores in the bare loop, so emergency
// revoke-all of 10,000 grants takes 1.65-2.2 times a bare loop of the same
// Vault revocations (npm run bench:revoke-all; the target is 1.25). The bare
// loop's process spends 2.1-2.8 s of CPU, the broker's 3.7-4.7 s, and one
// event loop carries the Vault client and the bookkeeping both (with 1 or 3 ms
// added to every Vault answer the ratio was 2.2 and 1.6). Every revocation
// completes; it is the last ones that come later.
import type pLimit from 'p-limit';
import { logger } from '../platform/logger';
import type { Database } from '../platform/database';
import { addJobs } from '../jobs/job-queue';
import type { Knex } from 'knex';
import { SYSTEM } from '../audit/actions';
import { appendAuditAll } from '../audit/append';
import { revokeCredential, type CompletionResult } from './complete-revocation';
import { revokeJobKey, type RevokeJobPayload } from './request-revocation';
import {
  REVOCABLE_COLUMNS,
  type Issuers,
  type RevocableGrant,
  type RevocationOutcome,
} from './revocation-types';

/**
 * Grants per batch job: a hundred makes per-job costs small next to the Vault
 * calls, while one job still holds its grants' locks for well under a second.
 */
export const REVOKE_BATCH_SIZE = 100;

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
  vaultLimit: pLimit.Limit,
): Promise<number> {
  const failed: string[] = [];
  const done = await db.transaction(async (trx) => {
    const grants: RevocableGrant[] = await trx('grants')
      .whereRaw('id = any(?::uuid[])', [batch.grant_ids])
      .andWhere({ status: 'revoking' })
      .orderBy('id')
      .forUpdate()
      .skipLocked()
      .select([...REVOCABLE_COLUMNS]);
    const confirmed: { grant: RevocableGrant; result: CompletionResult }[] = [];
    await Promise.all(
      grants.map((grant) =>
        vaultLimit(async () => {
          try {
            confirmed.push({ grant, result: await revokeCredential(issuers, grant) });
          } catch (error) {
            failed.push(grant.id);
            logger.warn('revocation failed, will retry', {
              grant_id: grant.id,
              attempt: 1,
              error_code: (error as { code?: string }).code ?? 'unknown',
            });
          }
        }),
      ),
    );
    // Record in one order whatever order Vault answered in, so that a batch's
    // audit events come out the same on every run.
    confirmed.sort(
      (a, b) =>
        a.grant.tenant.localeCompare(b.grant.tenant) || a.grant.id.localeCompare(b.grant.id),
    );
    await recordBatch(trx, confirmed, batch.outcome);
    return confirmed.length;
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

/**
 * Records what Vault confirmed, set-based: one UPDATE for the grants, one for
 * their open access sessions, then one audit event per grant and per session,
 * the same events a single revocation writes, appended as one batch.
 */
async function recordBatch(
  trx: Knex.Transaction,
  confirmed: { grant: RevocableGrant; result: CompletionResult }[],
  outcome: RevocationOutcome,
) {
  if (confirmed.length === 0) return;
  const ids = confirmed.map(({ grant }) => grant.id);
  await trx('grants')
    .whereRaw('id = any(?::uuid[])', [ids])
    .update({ status: outcome, revoked_at: trx.fn.now() });
  const closed: { id: string; grant_id: string; technician_id: string }[] = await trx(
    'access_sessions',
  )
    .whereRaw('grant_id = any(?::uuid[])', [ids])
    .whereNull('closed_at')
    .update({ closed_at: trx.fn.now(), close_reason: outcome })
    .returning(['id', 'grant_id', 'technician_id']);

  const tenantOf = new Map(confirmed.map(({ grant }) => [grant.id, grant.tenant]));
  await appendAuditAll(trx, [
    ...confirmed.map(({ grant, result }) => ({
      tenant: grant.tenant,
      actor: SYSTEM,
      action: outcome === 'expired' ? ('grant.expired' as const) : ('grant.revoked' as const),
      subject: grant.id,
      data: {
        technician_id: grant.technician_id,
        reason: grant.revoke_reason,
        vault_result: result,
      },
    })),
    ...closed.map((session) => ({
      tenant: tenantOf.get(session.grant_id)!,
      actor: SYSTEM,
      action: 'session.closed' as const,
      subject: session.id,
      data: { grant_id: session.grant_id, technician_id: session.technician_id, reason: outcome },
    })),
  ]);
}
