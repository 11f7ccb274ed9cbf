/**
 * A harness for revocation tests: the Vault stand-in set up for two tenants,
 * grants issued through the real issuance code (so each holds a real token or
 * lease in the stand-in), the broker app, job workers on the test database,
 * and a record of what the stand-in actually revoked.
 */
import { createApp } from '../../src/app';
import { relayAll } from '../../src/jobs/job-outbox';
import type { Database } from '../../src/platform/database';
import type { Issuers } from '../../src/revocation/revocation-types';
import { startRevocationWorker } from '../../src/revocation/revocation-worker';
import type { CredentialIssuer } from '../../src/vault/credential-issuer';
import { testConfig } from '../support/factories';
import { grantHarness, policies } from '../grants/grant-harness';
import type { VaultFixture } from '../vault/vault-fixture';

/** Configuration for revocation tests: fast polling and short retries. */
export function revocationConfig(overrides: Record<string, string> = {}) {
  return testConfig({
    JOB_POLL_INTERVAL_MS: '100',
    JOB_CONCURRENCY: '4',
    REVOCATION_RETRY_MAX: '1',
    JOB_LOCK_TIMEOUT: '5',
    ...overrides,
  });
}

/** Counts the issuers' revoke calls per accessor or lease, around the real issuers. */
export function countingIssuers(real: Issuers) {
  const calls = new Map<string, number>();
  const wrap = (issuer: CredentialIssuer): CredentialIssuer => ({
    kind: issuer.kind,
    issue: (input) => issuer.issue(input),
    revoke: (ref) => {
      const key = ref.accessor ?? ref.leaseId ?? 'none';
      calls.set(key, (calls.get(key) ?? 0) + 1);
      return issuer.revoke(ref);
    },
  });
  const issuers: Issuers = {
    'vault-token': wrap(real['vault-token']),
    database: wrap(real.database),
    ssh: wrap(real.ssh),
  };
  return { issuers, calls, total: () => [...calls.values()].reduce((a, b) => a + b, 0) };
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Everything a revocation test works with. */
export function revocationHarness(database: { db: Database; url: string }, vault: VaultFixture) {
  const config = revocationConfig();
  const grants = grantHarness(database.db, vault);
  const counting = countingIssuers(vault.services.issuers);
  // Issuance schedules each grant's expiry job, as in the broker.
  const issuance = grants.issuance;
  const app = createApp({ config, db: database.db, access: { policies: () => policies } });

  /** An active grant with a live credential in the stand-in and its expiry job. */
  async function activeGrant(technicianId: string, tenant: string, seconds = 1800) {
    const id = await grants.issuingGrant(technicianId, tenant, 'read-only', seconds);
    await issuance.issue(id);
    await relayAll(database.db);
    return database.db('grants').where({ id }).first();
  }

  /** Starts a job worker on the test database; stop it when done. */
  function startWorker(overrides: Record<string, string> = {}) {
    return startRevocationWorker({
      config: revocationConfig(overrides),
      databaseUrl: database.url,
      issuers: counting.issuers,
    });
  }

  /** Whether the stand-in still knows the token with this accessor. */
  async function tokenAlive(accessor: string) {
    try {
      await vault.admin.call('POST', 'auth/token/lookup-accessor', { accessor });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Asserts that each grant's token was removed from the stand-in exactly once
   * (per `removed`, from recordRevocations), is gone, and that each grant has
   * exactly one `action` audit event.
   */
  async function expectEachEndedOnce(
    grants: { id: string; vault_accessor: string }[],
    removed: Map<string, number>,
    action: 'grant.revoked' | 'grant.expired',
  ) {
    for (const grant of grants) {
      expect(removed.get(grant.vault_accessor)).toBe(1);
      expect(await tokenAlive(grant.vault_accessor)).toBe(false);
    }
    const ids = grants.map((grant) => grant.id);
    const subjects = await database
      .db('audit_events')
      .whereIn('subject', ids)
      .andWhere({ action })
      .pluck('subject');
    expect(subjects.sort()).toEqual([...ids].sort());
  }

  return {
    config,
    app,
    grants,
    counting,
    activeGrant,
    startWorker,
    tokenAlive,
    expectEachEndedOnce,
  };
}

/**
 * Counts, per token accessor, the tokens the stand-in really revoked (not
 * "already gone" answers), from now on.
 */
export function recordRevocations(vault: VaultFixture): Map<string, number> {
  const removed = new Map<string, number>();
  const state = vault.standin!.state;
  const revokeToken = state.revokeToken.bind(state);
  state.revokeToken = (token) => {
    removed.set(token.accessor, (removed.get(token.accessor) ?? 0) + 1);
    revokeToken(token);
  };
  return removed;
}
