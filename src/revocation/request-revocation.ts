/**
 * Marking grants for revocation. From the moment the mark commits, checkout
 * refuses the grant (it is no longer `active`), while the Vault revocation
 * runs as a job queued in the same transaction: a crash can lose neither
 * (DESIGN.md invariant 7).
 *
 * Marking is set-based (one UPDATE ... RETURNING) so that offboarding and
 * emergencies mark thousands of grants in a few statements; each grant still
 * gets its own audit event in its own tenant's chain.
 */
import type { Knex } from 'knex';
import type { Actor } from '../audit/actions';
import { appendAuditAll } from '../audit/append';
import { outboxJobCall } from '../jobs/job-outbox';
import { addJobs, type JobSpec } from '../jobs/job-queue';
import { REVOKE_BATCH_SIZE, type RevokeBatchPayload } from './complete-revocation-batch';
import {
  LIVE_STATUSES,
  REVOCABLE_COLUMNS,
  type RevocableGrant,
  type RevocationOutcome,
} from './revocation-types';

/** The revoke job's payload. */
export interface RevokeJobPayload {
  grant_id: string;
  outcome: RevocationOutcome;
  /** Failed Vault attempts so far; drives the back-off. */
  attempt?: number;
}

/** The job key of a grant's revocation: one waiting job per grant. */
export function revokeJobKey(grantId: string): string {
  return `grant-revoke:${grantId}`;
}

/**
 * The call that schedules the grant's expiry at `endsAt`, made by the
 * statement that activates the grant. It goes through the job outbox (a job
 * due later needs no NOTIFY; see src/jobs/job-outbox.ts), so whoever makes it
 * nudges the relay after the statement commits. Keyed by grant: scheduling
 * twice keeps one job.
 */
export function grantExpiryCall(db: Knex, grantId: string, endsAt: Date): Knex.Raw {
  return outboxJobCall(
    db,
    'grant-expire',
    { grant_id: grantId },
    { jobKey: `grant-expire:${grantId}`, runAt: endsAt },
  );
}

/** Why and by whom grants are being revoked. */
export interface RevocationRequest {
  actor: Actor;
  reason: string;
  outcome?: RevocationOutcome;
  /** Extra facts for each grant's audit event (hook event id, emergency). */
  context?: Record<string, unknown>;
  /**
   * Queue one job per batch of grants instead of one per grant: for
   * revocation at scale, where per-job costs would outweigh Vault's.
   */
  batched?: boolean;
}

/**
 * Marks one grant `revoking` if it is still live, with its audit event and
 * its revoke job. Returns false when the grant was not live (already ending
 * or ended): asking twice is harmless.
 */
export async function requestRevocation(
  trx: Knex.Transaction,
  grant: { id: string },
  actor: Actor,
  reason: string,
  outcome: RevocationOutcome = 'revoked',
): Promise<boolean> {
  const marked = await markRevoking(trx, (q) => q.where({ id: grant.id }), {
    actor,
    reason,
    outcome,
  });
  return marked.length > 0;
}

/**
 * Marks every live grant matched by `filter` `revoking`: one UPDATE, one
 * audit event per grant in its tenant (tenants in a fixed order so that
 * concurrent callers lock audit heads in the same order), one batch of jobs.
 */
export async function markRevoking(
  trx: Knex.Transaction,
  filter: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
  request: RevocationRequest,
): Promise<RevocableGrant[]> {
  const outcome = request.outcome ?? 'revoked';
  const grants: RevocableGrant[] = await filter(trx('grants'))
    .whereIn('status', LIVE_STATUSES)
    .update({
      status: 'revoking',
      revoke_reason: request.reason,
      revoke_requested_at: trx.fn.now(),
    })
    .returning([...REVOCABLE_COLUMNS]);

  const ordered = [...grants].sort(
    (a, b) => a.tenant.localeCompare(b.tenant) || a.id.localeCompare(b.id),
  );
  // One event per grant, each tenant's run written in one batch.
  await appendAuditAll(
    trx,
    ordered.map((grant) => ({
      tenant: grant.tenant,
      actor: request.actor,
      action: 'grant.revoke_requested' as const,
      subject: grant.id,
      data: {
        technician_id: grant.technician_id,
        profile: grant.profile,
        reason: request.reason,
        outcome,
        ...(request.context ?? {}),
      },
    })),
  );

  if (request.batched) {
    await addJobs(trx, batchJobs(ordered, outcome));
  } else {
    await addJobs(
      trx,
      grants.map((grant) => ({
        name: 'grant-revoke' as const,
        payload: { grant_id: grant.id, outcome } satisfies RevokeJobPayload,
        jobKey: revokeJobKey(grant.id),
      })),
    );
  }
  return ordered;
}

function batchJobs(grants: RevocableGrant[], outcome: RevocationOutcome): JobSpec[] {
  const jobs: JobSpec[] = [];
  for (let i = 0; i < grants.length; i += REVOKE_BATCH_SIZE) {
    const ids = grants.slice(i, i + REVOKE_BATCH_SIZE).map((grant) => grant.id);
    jobs.push({
      name: 'grant-revoke-batch',
      payload: { grant_ids: ids, outcome } satisfies RevokeBatchPayload,
      jobKey: `grant-revoke-batch:${ids[0]}`,
    });
  }
  return jobs;
}
