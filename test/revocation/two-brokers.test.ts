/**
 * Two broker processes on one database and one Vault: both run the job
 * worker, and each grant's expiry is handled exactly once, by one of them.
 * Runs the compiled broker (`npm run build` first; `npm test` does).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_DIR } from '../../src/vault/policy-templates';
import { setupBroker } from '../../src/vault/vault-setup';
import { spawnBroker, type BrokerProcess } from '../support/broker-process';
import { useTestDatabase } from '../support/database';
import { createTechnician } from '../support/factories';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { recordRevocations, revocationHarness, waitFor } from './revocation-harness';

const database = useTestDatabase();
let vault: VaultFixture;
let h: ReturnType<typeof revocationHarness>;
const children: BrokerProcess[] = [];

beforeAll(async () => {
  vault = await startVaultFixture();
  for (const slug of vault.tenants) await database.db('tenants').insert({ slug, name: slug });
  h = revocationHarness(database, vault);
});
afterAll(async () => {
  for (const child of children) child.child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  await vault?.stop();
});

it('expires each grant once when two brokers share the database', async () => {
  const approle = await setupBroker(vault.admin, vault.settings, POLICY_DIR);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    VAULT_ADDR: vault.addr,
    VAULT_ROLE_ID: approle.roleId,
    VAULT_SECRET_ID: approle.secretId,
    JOB_CONCURRENCY: '8',
    JOB_POLL_INTERVAL_MS: '100',
  };
  for (const name of ['a', 'b']) {
    const dataDir = mkdtempSync(join(tmpdir(), `jit-two-${name}-`));
    children.push(await spawnBroker({ ...env, DATA_DIR: dataDir }, 60000).started);
  }

  const removed = recordRevocations(vault);

  // The stand-in's clock stands still: only a broker can end these tokens.
  const tech = await createTechnician(database.db);
  const grants = [];
  for (let i = 0; i < 20; i += 1) {
    grants.push(await h.activeGrant(tech.id, vault.tenants[i % 2]!, 3));
  }
  const ids = grants.map((grant) => grant.id);

  await waitFor(async () => {
    const left = await database.db('grants').whereIn('id', ids).whereNot('status', 'expired');
    return left.length === 0;
  }, 30000);

  await h.expectEachEndedOnce(grants, removed, 'grant.expired');
});
