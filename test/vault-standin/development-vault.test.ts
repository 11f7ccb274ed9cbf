import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { startBroker } from '../../src/server';
import { DEMO_TENANTS, seedDemo } from '../../src/vault-standin/seed-demo';
import { startDevelopmentVault } from '../../src/vault-standin/development-vault';
import { useTestDatabase } from '../support/database';
import { createTenant, testConfig } from '../support/factories';
import { readOnlyProfile } from '../vault/profiles';

const database = useTestDatabase();

const input = (tenant: string) => ({
  grantId: randomUUID(),
  tenant,
  technicianId: randomUUID(),
  technicianEmail: 'tech@msp.example',
  profile: readOnlyProfile,
  ttlSeconds: 300,
});

describe('development Vault', () => {
  it('seeds the demo tenants once, each with its tenant.created event', async () => {
    await seedDemo(database.db);
    await seedDemo(database.db);
    const slugs = DEMO_TENANTS.map((t) => t.slug);
    const tenants = await database.db('tenants').whereIn('slug', slugs).pluck('slug');
    expect(tenants.sort()).toEqual(slugs.sort());
    const events = await database
      .db('audit_events')
      .whereIn('tenant', slugs)
      .where({ action: 'tenant.created' });
    expect(events).toHaveLength(slugs.length);
  });

  it('serves the broker from a configured stand-in, tenants added later included', async () => {
    const config = testConfig({ NODE_ENV: 'development' });
    const vault = await startDevelopmentVault(config, database.db);
    try {
      expect(await vault.ready()).toBe(true);
      const acme = await vault.issuers['vault-token'].issue(input('acme'));
      expect(acme.accessor).toEqual(expect.any(String));

      const later = await createTenant(database.db);
      const issued = await vault.issuers['vault-token'].issue(input(later));
      expect(await vault.issuers['vault-token'].revoke({ tenant: later, ...issued })).toBe(
        'revoked',
      );
    } finally {
      await vault.stop();
    }
  });

  it('is refused in production', async () => {
    const config = { ...testConfig(), env: 'production' as const };
    await expect(startDevelopmentVault(config, database.db)).rejects.toThrow();
  });
});

describe('startBroker without VAULT_ADDR', () => {
  it('reports the stand-in Vault ready on /readyz', async () => {
    const broker = await startBroker(testConfig({ DATABASE_URL: database.url, PORT: '0' }));
    try {
      const res = await request(broker.url).get('/readyz');
      expect(res.status).toBe(200);
      expect(res.body.checks.vault).toBe('ok');
    } finally {
      await broker.stop();
    }
  });
});
