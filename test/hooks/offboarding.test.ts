import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useTestDatabase } from '../support/database';
import { assign, createTechnician, signIn } from '../support/factories';
import { revocationHarness, waitFor } from '../revocation/revocation-harness';
import { policies } from '../grants/grant-harness';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { getReceipt, postHook } from './hook-client';

const database = useTestDatabase();
let vault: VaultFixture;
let h: ReturnType<typeof revocationHarness>;

beforeAll(async () => {
  vault = await startVaultFixture();
  for (const slug of vault.tenants) await database.db('tenants').insert({ slug, name: slug });
  h = revocationHarness(database, vault);
});
afterAll(async () => {
  await vault?.stop();
});

const count = async (table: string) => Number((await database.db(table).count({ n: '*' }))[0]!.n);

async function pendingRequest(technicianId: string, tenant: string, profile = 'admin') {
  const id = randomUUID();
  await database.db('access_requests').insert({
    id,
    tenant,
    technician_id: technicianId,
    profile,
    duration_seconds: 3600,
    justification: 'patching the mail server',
    status: 'pending',
    policy_hash: policies.hash,
    expires_at: new Date(Date.now() + 3600 * 1000),
  });
  return id;
}

describe('POST /hooks/technician-offboarded', () => {
  it('ends access at once, revokes every credential in Vault, and repeats as a no-op', async () => {
    const [acme, globex] = vault.tenants;
    const tech = await createTechnician(database.db);
    const bystander = await createTechnician(database.db);
    const { authorization } = await signIn(database.db, h.config, tech.id);
    const grants = [
      await h.activeGrant(tech.id, acme),
      await h.activeGrant(tech.id, acme),
      await h.activeGrant(tech.id, globex),
    ];
    const kept = await h.activeGrant(bystander.id, acme);
    const requestId = await pendingRequest(tech.id, globex);
    await request(h.app).get('/api/v1/me').set('Authorization', authorization).expect(200);

    const body = { event_id: randomUUID(), technician: { email: tech.email }, reason: 'left' };
    const res = await postHook(h.app, h.config.hookSecret, 'technician-offboarded', body);

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'technician-offboarded',
      status: 'pending',
      technician: { id: tech.id, disabled: true, login_sessions_ended: 1 },
      tenants: {
        [acme]: { requests_cancelled: 0, grants_revoking: 2, grants_revoked: 0 },
        [globex]: { requests_cancelled: 1, grants_revoking: 1, grants_revoked: 0 },
      },
      grants: { total: 3, revoked: 0, pending: 3 },
    });
    // Their token is refused right away, before Vault has confirmed anything.
    await request(h.app).get('/api/v1/me').set('Authorization', authorization).expect(401);
    expect(await database.db('access_requests').where({ id: requestId }).first()).toMatchObject({
      status: 'cancelled',
    });
    // Marked at once: checkout only hands out `active` grants.
    const marked = await database
      .db('grants')
      .whereIn(
        'id',
        grants.map((g) => g.id),
      )
      .pluck('status');
    expect(marked).toEqual(['revoking', 'revoking', 'revoking']);

    const worker = await h.startWorker();
    try {
      await waitFor(async () => {
        const receipt = await getReceipt(h.app, h.config.hookSecret, res.body.id);
        return receipt.body.status === 'complete';
      });
    } finally {
      await worker.stop();
    }
    for (const grant of grants) expect(await h.tokenAlive(grant.vault_accessor)).toBe(false);
    expect(await h.tokenAlive(kept.vault_accessor)).toBe(true);
    const receipt = await getReceipt(h.app, h.config.hookSecret, res.body.id);
    expect(receipt.body.tenants[acme]).toMatchObject({ grants_revoking: 0, grants_revoked: 2 });
    for (const tenant of [acme, globex]) {
      const actions = await database
        .db('audit_events')
        .where({ tenant })
        .whereIn('subject', [...grants.map((g) => g.id), requestId])
        .pluck('action');
      expect(actions).toEqual(expect.arrayContaining(['grant.revoke_requested', 'grant.revoked']));
    }
    expect(
      await database
        .db('audit_events')
        .where({ tenant: 'msp', action: 'technician.offboarded', subject: tech.id }),
    ).toHaveLength(1);

    // The same event again: the same receipt, nothing written, no Vault call.
    const calls = h.counting.total();
    const events = await count('audit_events');
    const again = await postHook(h.app, h.config.hookSecret, 'technician-offboarded', body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: res.body.id, status: 'complete' });
    const idle = await h.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await idle.stop();
    expect(h.counting.total()).toBe(calls);
    expect(await count('audit_events')).toBe(events);
    expect(await count('hook_events')).toBe(1);
  });
});

describe('POST /hooks/tenant-offboarded', () => {
  it('churns the tenant, refuses new requests, revokes its grants and signs a checkpoint', async () => {
    const [acme, globex] = vault.tenants;
    const tech = await createTechnician(database.db);
    await assign(database.db, globex, tech.id);
    const { authorization } = await signIn(database.db, h.config, tech.id);
    const onGlobex = [await h.activeGrant(tech.id, globex), await h.activeGrant(tech.id, globex)];
    const onAcme = await h.activeGrant(tech.id, acme);
    const requestId = await pendingRequest(tech.id, globex, 'db-read-only');

    const res = await postHook(h.app, h.config.hookSecret, 'tenant-offboarded', {
      event_id: randomUUID(),
      tenant: globex,
      reason: 'contract ended',
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'pending',
      tenant: { slug: globex, churned: true, checkpoint_seq: expect.any(Number) },
      tenants: { [globex]: { requests_cancelled: 1, grants_revoking: 2 } },
    });
    expect(await database.db('tenants').where({ slug: globex }).first()).toMatchObject({
      status: 'churned',
    });
    expect(await database.db('access_requests').where({ id: requestId }).first()).toMatchObject({
      status: 'cancelled',
    });
    const checkpoint = await database
      .db('audit_checkpoints')
      .where({ tenant: globex, seq: res.body.tenant.checkpoint_seq })
      .first();
    expect(checkpoint.signature).toEqual(expect.any(String));
    const refused = await request(h.app)
      .post('/api/v1/requests')
      .set('Authorization', authorization)
      .send({
        tenant: globex,
        profile: 'read-only',
        duration: '1h',
        justification: 'one more look at the logs',
      });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('tenant.not_active');

    const worker = await h.startWorker();
    try {
      await waitFor(async () => {
        const receipt = await getReceipt(h.app, h.config.hookSecret, res.body.id);
        return receipt.body.status === 'complete';
      });
    } finally {
      await worker.stop();
    }
    for (const grant of onGlobex) expect(await h.tokenAlive(grant.vault_accessor)).toBe(false);
    expect(await h.tokenAlive(onAcme.vault_accessor)).toBe(true);
    expect((await database.db('grants').where({ id: onAcme.id }).first()).status).toBe('active');
  });
});
