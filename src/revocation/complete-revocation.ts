/**
 * Finishing a revocation: Vault revokes the credential, then the grant is
 * recorded `revoked` (or `expired`) with its audit event and its access
 * sessions closed, in one transaction.
 *
 * The grant row stays locked (FOR UPDATE) from the status check until the
 * commit, across the Vault call. That is deliberate: two runs of the same job
 * (a retry, a job released from a dead process, a second broker) queue on the
 * lock, and the second finds the grant no longer `revoking` and does nothing,
 * so no credential is revoked twice by two live runs. If the process dies
 * after Vault revoked but before the commit, the next run gets "already
 * gone" from Vault, which counts as done (invariant 7).
 */
// LIMITATION: Vault and PostgreSQL share no transaction, so a broker killed
// between Vault's revocation and the commit sends the revocation again after
// restart; Vault answers "already gone" and nothing is revoked twice, but
// Vault's own audit device shows two revoke calls for that credential.
import type { Knex } from 'knex';
import { SYSTEM } from '../audit/actions';
import { appendAudit } from '../audit/append';
import type { Database } from '../platform/database';
import {
  REVOCABLE_COLUMNS,
  type Issuers,
  type RevocableGrant,
  type RevocationOutcome,
} from './revocation-types';

/** What a revocation run did. */
export type CompletionResult = 'revoked' | 'already_gone' | 'no_credential' | 'not_revoking';

/**
 * Revokes a `revoking` grant's credential in Vault and records the outcome.
 * Throws when Vault fails (the caller retries later); returns 'not_revoking'
 * when there is nothing left to do.
 */
export async function completeRevocation(
  db: Database,
  issuers: Issuers,
  grantId: string,
  outcome: RevocationOutcome,
): Promise<CompletionResult> {
  return db.transaction(async (trx) => {
    const grant: RevocableGrant | undefined = await trx('grants')
      .where({ id: grantId })
      .forUpdate()
      .first([...REVOCABLE_COLUMNS]);
    if (!grant || grant.status !== 'revoking') return 'not_revoking';

    const result = await revokeCredential(issuers, grant);
    await recordRevoked(trx, grant, outcome, result);
    return result;
  });
}

/** Revokes one grant's credential in Vault; 'no_credential' when none is on record. */
export async function revokeCredential(
  issuers: Issuers,
  grant: RevocableGrant,
): Promise<CompletionResult> {
  // A grant revoked while still `issuing` has no accessor or lease on record:
  // issuance sees the grant is no longer issuing and revokes what it got
  // (src/grants/issue-grant.ts). SSH certificates cannot be revoked early;
  // their TTL ends with the grant (DESIGN.md section 6).
  if (!grant.vault_accessor && !grant.vault_lease_id) return 'no_credential';
  return issuers[grant.credential_kind].revoke({
    tenant: grant.tenant,
    accessor: grant.vault_accessor,
    leaseId: grant.vault_lease_id,
  });
}

/** Records a finished revocation: grant status, audit event, sessions closed. */
export async function recordRevoked(
  trx: Knex.Transaction,
  grant: RevocableGrant,
  outcome: RevocationOutcome,
  result: CompletionResult,
) {
  await trx('grants').where({ id: grant.id }).update({ status: outcome, revoked_at: trx.fn.now() });
  await appendAudit(trx, {
    tenant: grant.tenant,
    actor: SYSTEM,
    action: outcome === 'expired' ? 'grant.expired' : 'grant.revoked',
    subject: grant.id,
    data: {
      technician_id: grant.technician_id,
      reason: grant.revoke_reason,
      vault_result: result,
    },
  });
  await closeSessions(trx, grant, outcome);
}

/** Closes the grant's open access sessions, each with its audit event. */
export async function closeSessions(
  trx: Knex.Transaction,
  grant: Pick<RevocableGrant, 'id' | 'tenant' | 'technician_id'>,
  reason: string,
): Promise<number> {
  const closed: { id: string }[] = await trx('access_sessions')
    .where({ grant_id: grant.id })
    .whereNull('closed_at')
    .update({ closed_at: trx.fn.now(), close_reason: reason })
    .returning(['id']);
  for (const session of closed) {
    await appendAudit(trx, {
      tenant: grant.tenant,
      actor: SYSTEM,
      action: 'session.closed',
      subject: session.id,
      data: { grant_id: grant.id, technician_id: grant.technician_id, reason },
    });
  }
  return closed.length;
}
