/**
 * Vault down while a request is being granted: the caller gets 503
 * vault.unavailable, no grant is active, the failure is audited; once Vault is
 * back the next request is granted with no restart.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import { VaultGrantIssuance } from '../../src/grants/issue-grant';
import { useTestDatabase } from '../support/database';
import { assign, createTechnician, signIn, testConfig } from '../support/factories';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { policies } from './grant-harness';

const database = useTestDatabase();
let vault: VaultFixture;

beforeAll(async () => {
  vault = await startVaultFixture();
  for (const slug of vault.tenants) await database.db('tenants').insert({ slug, name: slug });
});
afterAll(async () => {
  await vault?.stop();
});

it('answers 503 while Vault is down and grants again once it is back', async () => {
  const config = testConfig();
  const { db } = database;
  const issuance = new VaultGrantIssuance({
    db,
    config,
    vault: vault.services,
    policies: () => policies,
    outbox: { nudge: () => undefined },
  });
  const app = createApp({
    config,
    db,
    vault: vault.services,
    access: { policies: () => policies, issuance },
  });
  const [tenant] = vault.tenants;
  const tech = await createTechnician(db);
  await assign(db, tenant, tech.id);
  const { authorization } = await signIn(db, config, tech.id);
  const body = {
    tenant,
    profile: 'read-only',
    duration: '1h',
    justification: 'backup job failing since last night',
  };

  await vault.standin!.setFault('down');
  let refused;
  try {
    refused = await request(app).post('/api/v1/requests').set({ authorization }).send(body);
  } finally {
    await vault.standin!.setFault(null);
  }
  expect(refused.status).toBe(503);
  expect(refused.body.error.code).toBe('vault.unavailable');
  const grants = await db('grants').where({ technician_id: tech.id });
  expect(grants.map((g) => g.status)).toEqual(['failed']);
  const failed = await db('audit_events').where({ tenant, action: 'grant.failed' });
  expect(failed).toHaveLength(1);
  expect(failed[0].data.reason).toBe('vault.unavailable');

  const granted = await request(app).post('/api/v1/requests').set({ authorization }).send(body);
  expect(granted.status).toBe(201);
  expect(granted.body).toMatchObject({ status: 'approved', grant_status: 'active' });
});
