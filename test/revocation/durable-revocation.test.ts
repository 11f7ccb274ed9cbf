import request from 'supertest';
import { warnOverdueRevocations } from '../../src/revocation/revocation-overdue';
import { captureLogs } from '../support/log-capture';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn } from '../support/factories';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { revocationHarness, waitFor } from './revocation-harness';

const database = useTestDatabase();
let vault: VaultFixture;
let h: ReturnType<typeof revocationHarness>;
let acme: string;

beforeAll(async () => {
  vault = await startVaultFixture();
  acme = vault.tenants[0];
  for (const slug of vault.tenants) await database.db('tenants').insert({ slug, name: slug });
  h = revocationHarness(database, vault);
});
afterAll(async () => {
  await vault?.stop();
});

const statuses = async (ids: string[]) =>
  (await database.db('grants').whereIn('id', ids).pluck('status')) as string[];

describe('revocation while Vault is down', () => {
  it('keeps grants revoking and refused, then revokes them all once Vault is back', async () => {
    const tech = await createTechnician(database.db);
    const { authorization } = await signIn(database.db, h.config, tech.id);
    const grants = [await h.activeGrant(tech.id, acme), await h.activeGrant(tech.id, acme)];
    const ids = grants.map((g) => g.id);
    const logs = captureLogs();
    await vault.standin!.setFault('down');
    const worker = await h.startWorker({ REVOCATION_OVERDUE_AFTER: '1' });
    try {
      for (const id of ids) {
        await request(h.app)
          .post(`/api/v1/grants/${id}/revoke`)
          .set('Authorization', authorization)
          .send({ reason: 'laptop stolen' })
          .expect(202);
      }
      // Several attempts fail while Vault is down.
      await waitFor(
        async () => (logs.text().match(/revocation failed, will retry/g) ?? []).length >= 4,
      );
      expect(await statuses(ids)).toEqual(['revoking', 'revoking']);
      const checkout = await request(h.grants.app)
        .post(`/grants/${ids[0]}/checkout`)
        .set('Authorization', authorization)
        .send({});
      expect(checkout.status).toBe(409);
      expect(checkout.body.error.code).toBe('grant.revoked');

      await vault.standin!.setFault(null);
      await waitFor(async () => (await statuses(ids)).every((s) => s === 'revoked'));
    } finally {
      logs.stop();
      await vault.standin!.setFault(null);
      await worker.stop();
    }
    for (const grant of grants) expect(await h.tokenAlive(grant.vault_accessor)).toBe(false);
  });

  it('warns "revocation overdue" and reports it at /metrics for a revocation pending past the threshold', async () => {
    const tech = await createTechnician(database.db);
    const admin = await createTechnician(database.db, { role: 'admin' });
    const { authorization } = await signIn(database.db, h.config, admin.id);
    const grant = await h.activeGrant(tech.id, acme);
    await database
      .db('grants')
      .where({ id: grant.id })
      .update({
        status: 'revoking',
        revoke_requested_at: new Date(Date.now() - 3600 * 1000),
      });
    const logs = captureLogs();
    try {
      expect(await warnOverdueRevocations(database.db, 300)).toBe(1);
    } finally {
      logs.stop();
    }
    const warning = logs.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.message === 'revocation overdue');
    expect(warning).toMatchObject({ level: 'warn', grant_id: grant.id, tenant: acme });

    const metrics = await request(h.app).get('/api/v1/metrics').set('Authorization', authorization);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/^jit_revocations_overdue 1$/m);
    expect(metrics.text).toMatch(/^jit_revocation_overdue_warnings_total [1-9]\d*$/m);
    await database.db('grants').where({ id: grant.id }).update({ status: 'revoked' });
  });

  it('refuses /metrics to non-admins', async () => {
    const tech = await createTechnician(database.db);
    const { authorization } = await signIn(database.db, h.config, tech.id);
    const res = await request(h.app).get('/api/v1/metrics').set('Authorization', authorization);
    expect(res.status).toBe(403);
    expect((await request(h.app).get('/api/v1/metrics')).status).toBe(401);
  });
});

describe('two job workers on one database', () => {
  it('handles each expiry once', async () => {
    const tech = await createTechnician(database.db);
    const grants = [];
    for (let i = 0; i < 12; i += 1)
      grants.push(await h.activeGrant(tech.id, vault.tenants[i % 2]!, 2));
    const ids = grants.map((g) => g.id);
    const before = h.counting.total();

    const workers = await Promise.all([h.startWorker(), h.startWorker()]);
    try {
      await waitFor(async () => (await statuses(ids)).every((s) => s === 'expired'), 20000);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }

    const expired = await database
      .db('audit_events')
      .whereIn('subject', ids)
      .andWhere({ action: 'grant.expired' })
      .pluck('subject');
    expect(expired.sort()).toEqual([...ids].sort());
    const requested = await database
      .db('audit_events')
      .whereIn('subject', ids)
      .andWhere({ action: 'grant.revoke_requested' });
    expect(requested).toHaveLength(ids.length);
    // One Vault call per credential, no more.
    expect(h.counting.total() - before).toBe(ids.length);
    for (const grant of grants) {
      expect(h.counting.calls.get(grant.vault_accessor)).toBe(1);
      expect(await h.tokenAlive(grant.vault_accessor)).toBe(false);
    }
  });
});
