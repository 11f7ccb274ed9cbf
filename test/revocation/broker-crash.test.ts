/**
 * The broker process killed with SIGKILL in the middle of offboarding, then
 * started again: every revocation completes, and no credential is revoked
 * twice. Runs the compiled broker (`npm run build` first; `npm test` does).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signHook } from '../../src/hooks/hook-signature';
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
const SECRET = 'crash-test-hook-secret-at-least-32-characters';

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

/** Resolves once a broker has logged in to the stand-in through AppRole. */
function brokerLogin() {
  const state = vault.standin!.state;
  const original = state.createToken.bind(state);
  return new Promise<void>((resolve) => {
    state.createToken = (input) => {
      const token = original(input);
      if (input.path.startsWith('auth/approle')) resolve();
      return token;
    };
  });
}

/** Resolves once `child` was killed by SIGKILL as the stand-in revoked its first token. */
function killOnFirstRevocation(child: BrokerProcess) {
  const state = vault.standin!.state;
  const revokeToken = state.revokeToken.bind(state);
  return new Promise<void>((resolve) => {
    state.revokeToken = (token) => {
      if (!child.child.killed) {
        child.child.kill('SIGKILL');
        resolve();
      }
      revokeToken(token);
    };
  });
}

async function startChild(env: Record<string, string>) {
  const child = await spawnBroker(env, 60000).started;
  children.push(child);
  return child;
}

it('completes every revocation after a SIGKILL mid-offboarding, none twice', async () => {
  const broker = await setupBroker(vault.admin, vault.settings, POLICY_DIR);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'jit-crash-')),
    VAULT_ADDR: vault.addr,
    VAULT_ROLE_ID: broker.roleId,
    VAULT_SECRET_ID: broker.secretId,
    HOOK_SECRET: SECRET,
    JOB_CONCURRENCY: '4',
    JOB_POLL_INTERVAL_MS: '100',
    JOB_LOCK_TIMEOUT: '2',
    REVOCATION_RETRY_MAX: '1',
  };
  const tech = await createTechnician(database.db);
  const grants = [];
  for (let i = 0; i < 10; i += 1) grants.push(await h.activeGrant(tech.id, vault.tenants[i % 2]!));
  const ids = grants.map((g) => g.id);
  const removed = recordRevocations(vault);
  const loggedIn = brokerLogin();

  const first = await startChild(env);
  // Vault answers slowly, so that revocations are in flight when the broker dies.
  await vault.standin!.setFault('slow', { slowMs: 1500 });
  const body = JSON.stringify({
    event_id: randomUUID(),
    technician: { id: tech.id },
    reason: 'left',
  });
  const timestamp = Math.floor(Date.now() / 1000);
  await request(first.url)
    .post('/api/v1/hooks/technician-offboarded')
    .set('Content-Type', 'application/json')
    .set('X-Hook-Timestamp', String(timestamp))
    .set('X-Hook-Signature', signHook(SECRET, timestamp, body))
    .send(body)
    .expect(201);
  // The broker logs in on its first revocation; once in, its revocations reach
  // the stand-in and wait there 1.5 s. Kill it the moment the stand-in carries
  // out the first of them, before answering: Vault has revoked a credential
  // the killed broker never heard back about, and others are still in flight.
  await loggedIn;
  await killOnFirstRevocation(first);
  await first.exited;
  const statuses = await database.db('grants').whereIn('id', ids).pluck('status');
  expect(statuses).toContain('revoking');

  await vault.standin!.setFault(null);
  const second = await startChild(env);
  await waitFor(async () => {
    const left = await database.db('grants').whereIn('id', ids).whereNot('status', 'revoked');
    return left.length === 0;
  }, 30000);
  second.child.kill('SIGTERM');
  await second.exited;

  await h.expectEachEndedOnce(grants, removed, 'grant.revoked');
  // The killed process had sent revocations that Vault carried out: the new
  // process found those credentials already gone and counted them as done.
  const results = await database
    .db('audit_events')
    .whereIn('subject', ids)
    .andWhere({ action: 'grant.revoked' })
    .select(database.db.raw("data->>'vault_result' as result"));
  expect(results.map((r) => r.result)).toContain('already_gone');
});
