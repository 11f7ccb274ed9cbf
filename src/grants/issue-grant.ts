/**
 * Issuing: turns a grant in `issuing` into an `active` one with its own
 * credential from Vault, or a `failed` one with the reason.
 *
 *   1. the intent is already recorded (grant row `issuing`, event grant.issuing);
 *   2. Vault issues the credential (TTL = time left on the grant) and the
 *      broker parks it in a wrapping token that dies with the grant;
 *   3. one statement marks the grant active, with its event and its expiry
 *      job (keyed by grant, so a second scheduling collapses into the first),
 *      written to the job outbox, whose relay this process then nudges.
 *
 * A crash between 2 and 3 leaves a credential nobody received, which Vault ends
 * at the grant's end by itself. SSH certificates are signed at checkout, when
 * the technician's public key is known, so an ssh grant activates at once.
 */
// LIMITATION: the grant flow's latency goal is met only about half the time
// (npm run bench:grants, 2-core machine, Vault stand-in in its own process,
// both sides warmed up). A request granted at once and its checkout (two
// authenticated HTTP requests, 10 statements, five Vault calls) complete
// 0.55-0.58 times as many flows per second as a bare loop writing the same
// rows (the goal is 0.5), but the p99 they add at half load came out 0.9-19.6
// ms in seven one-minute runs, under the goal of 15 in four. The benchmark
// process is the bottleneck: 5.3-5.8 ms of CPU per flow against the bare
// loop's 2.5-2.8, of which knex takes about 0.7 (its query building and
// runner, and the request's transaction, which also allocates about 20 KB);
// at half load it is busy about 54% of the time against 31%, so the machine's
// stalls (V8 collections, PostgreSQL and the stand-in taking the cores) delay
// more of its flows. The commits stay synchronous: the intent must be durable
// before Vault is called, and audit events must not be lost.
import { SYSTEM } from '../audit/actions';
import { appendAuditEventsWith } from '../audit/append';
import type { OpenedGrant } from '../access/grant-issuance';
import type { PolicySet } from '../policies/policy-set';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { AppError } from '../platform/errors';
import { logger } from '../platform/logger';
import type { IssuedCredential } from '../vault/credential-issuer';
import type { JobOutboxRelay } from '../jobs/job-outbox';
import { grantExpiryCall } from '../revocation/request-revocation';
import { park, type ParkedColumns } from './grant-parking';
import type { GrantVault } from './grant-vault';

/** Dependencies of grant issuance. */
export interface IssueGrantDeps {
  db: Database;
  config: Pick<Config, 'totpKeys'>;
  vault: GrantVault;
  /** The policy set in force (a function, so a reload can swap it). */
  policies: () => PolicySet;
  /** Relays the expiry jobs that activations write to the job outbox. */
  outbox: Pick<JobOutboxRelay, 'nudge'>;
}

/** Issues credentials for grants through Vault (the GrantIssuance of src/access). */
export class VaultGrantIssuance {
  constructor(private readonly deps: IssueGrantDeps) {}

  /**
   * Issues the grant's credential and activates it. Throws the Vault error
   * (e.g. 503 vault.unavailable) after recording the failure.
   */
  async issue(grantId: string, opened?: OpenedGrant): Promise<'active' | undefined> {
    const { db } = this.deps;
    // A grant its opener describes may have been revoked since; then the
    // activation below finds it no longer issuing and ends the credential.
    const grant: OpenedGrant | undefined =
      opened ??
      (await db('grants as g')
        .join('technicians as t', 't.id', 'g.technician_id')
        .where({ 'g.id': grantId, 'g.status': 'issuing' })
        .first('g.id', 'g.tenant', 'g.profile', 'g.technician_id', 't.email', 'g.ends_at'));
    if (!grant) return undefined;

    const profile = this.deps.policies().profile(grant.tenant, grant.profile);
    const ttlSeconds = Math.floor((grant.ends_at.getTime() - Date.now()) / 1000);
    if (!profile || ttlSeconds <= 0) {
      await this.fail(grant, profile ? 'grant.ended_before_issue' : 'policy.unknown_profile');
      return undefined;
    }

    let issued: IssuedCredential | undefined;
    let parked: ParkedColumns | undefined;
    if (profile.credential !== 'ssh') {
      try {
        issued = await this.deps.vault.issuers[profile.credential].issue({
          grantId: grant.id,
          tenant: grant.tenant,
          technicianId: grant.technician_id,
          technicianEmail: grant.email,
          profile,
          ttlSeconds,
        });
        parked = await park(
          this.deps.vault,
          this.deps.config.totpKeys,
          grant,
          issued.secret,
          ttlSeconds,
        );
      } catch (error) {
        await this.fail(grant, error instanceof AppError ? error.code : 'vault.error');
        throw error;
      }
    }

    // One statement marks it active, records it and queues its expiry job, or
    // does none of it when the grant is no longer issuing.
    const marked = db('grants')
      .where({ id: grant.id, status: 'issuing' })
      .update({
        status: 'active',
        vault_accessor: issued?.accessor ?? null,
        vault_lease_id: issued?.leaseId ?? null,
        ...(parked ?? {}),
      });
    const activated = await appendAuditEventsWith(
      db,
      { changes: [marked], calls: [grantExpiryCall(db, grant.id, grant.ends_at)] },
      [
        {
          tenant: grant.tenant,
          actor: SYSTEM,
          action: 'grant.issued',
          subject: grant.id,
          data: {
            technician_id: grant.technician_id,
            profile: grant.profile,
            credential_kind: profile.credential,
            ends_at: grant.ends_at.toISOString(),
            vault_expires_at: issued?.expiresAt.toISOString() ?? null,
          },
        },
      ],
    );

    if (activated) this.deps.outbox.nudge();
    // Revoked or cancelled while Vault was issuing: the fresh credential must not
    // outlive that decision, so end it now rather than at the grant's end.
    if (!activated && issued) await this.revokeQuietly(grant, issued);
    return activated ? 'active' : undefined;
  }

  private async fail(grant: OpenedGrant, reason: string) {
    const { db } = this.deps;
    const failed = db('grants')
      .where({ id: grant.id, status: 'issuing' })
      .update({ status: 'failed', failure_reason: reason });
    await appendAuditEventsWith(db, { changes: [failed] }, [
      {
        tenant: grant.tenant,
        actor: SYSTEM,
        action: 'grant.failed',
        subject: grant.id,
        data: { technician_id: grant.technician_id, profile: grant.profile, reason },
      },
    ]);
    logger.warn('grant issue failed', { grant_id: grant.id, tenant: grant.tenant, reason });
  }

  private async revokeQuietly(grant: OpenedGrant, issued: IssuedCredential) {
    try {
      await this.deps.vault.issuers[issued.kind].revoke({
        tenant: grant.tenant,
        accessor: issued.accessor,
        leaseId: issued.leaseId,
      });
    } catch (error) {
      logger.warn('revoking an unneeded credential failed; vault ends it at the grant end', {
        grant_id: grant.id,
        error,
      });
    }
  }
}
