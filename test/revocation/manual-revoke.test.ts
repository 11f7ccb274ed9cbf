import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useTestDatabase } from '../support/database';
import { assign, createTechnician, signIn } from '../support/factories';
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

async function person(role: 'technician' | 'manager' | 'admin' | 'auditor') {
  const tech = await createTechnician(database.db, { role });
  const { authorization } = await signIn(database.db, h.config, tech.id);
  return { ...tech, authorization };
}

const count = async (table: string) => Number((await database.db(table).count({ n: '*' }))[0]!.n);

function revoke(id: string, authorization: string | undefined, body: unknown) {
  const call = request(h.app).post(`/api/v1/grants/${id}/revoke`);
  if (authorization) call.set('Authorization', authorization);
  return call.send(body as object);
}

describe('POST /grants/:id/revoke', () => {
  it('answers 401 without a token', async () => {
    const holder = await person('technician');
    const grant = await h.activeGrant(holder.id, acme);
    const res = await revoke(grant.id, undefined, { reason: 'done' });
    expect(res.status).toBe(401);
  });

  it.each([
    ['another technician', 'technician', null],
    ['a manager of another tenant', 'manager', 'other'],
    ['a technician assigned to the tenant', 'technician', 'same'],
    ['an auditor', 'auditor', null],
  ] as const)('refuses %s with 403 grant.forbidden, changing nothing', async (_n, role, where) => {
    const holder = await person('technician');
    const grant = await h.activeGrant(holder.id, acme);
    const caller = await person(role);
    if (where)
      await assign(
        database.db,
        where === 'same' ? acme : vault.tenants[1],
        caller.id,
        role === 'manager' ? 'manager' : 'technician',
      );
    const events = await count('audit_events');

    const res = await revoke(grant.id, caller.authorization, { reason: 'not mine' });

    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('grant.forbidden');
    expect((await database.db('grants').where({ id: grant.id }).first()).status).toBe('active');
    expect(await count('audit_events')).toBe(events);
  });

  it.each([
    ['no reason', {}],
    ['an empty reason', { reason: '   ' }],
    ['a reason over 500 characters', { reason: 'x'.repeat(501) }],
    ['an unknown field', { reason: 'ok', force: true }],
  ])('refuses %s with 400 and writes nothing', async (_name, body) => {
    const holder = await person('technician');
    const grant = await h.activeGrant(holder.id, acme);
    const events = await count('audit_events');
    const jobs = await count('graphile_worker.jobs');

    const res = await revoke(grant.id, holder.authorization, body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('grant.invalid');
    expect((await database.db('grants').where({ id: grant.id }).first()).status).toBe('active');
    expect(await count('audit_events')).toBe(events);
    expect(await count('graphile_worker.jobs')).toBe(jobs);
  });

  it('answers 404 grant.not_found for an unknown grant', async () => {
    const admin = await person('admin');
    const res = await revoke('00000000-0000-4000-8000-000000000000', admin.authorization, {
      reason: 'gone',
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('grant.not_found');
  });

  it.each([['the holder'], ['a manager of the tenant'], ['an admin']])(
    'lets %s revoke: 202 revoking at once, checkout refused, Vault token gone after the job',
    async (who) => {
      const holder = await person('technician');
      const grant = await h.activeGrant(holder.id, acme);
      let caller = holder;
      if (who === 'an admin') caller = await person('admin');
      if (who === 'a manager of the tenant') {
        caller = await person('manager');
        await assign(database.db, acme, caller.id, 'manager');
      }

      const sessionId = randomUUID();
      await database.db('access_sessions').insert({
        id: sessionId,
        grant_id: grant.id,
        tenant: acme,
        technician_id: holder.id,
      });

      const res = await revoke(grant.id, caller.authorization, { reason: 'ticket closed' });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id: grant.id, status: 'revoking' });
      const checkout = await request(h.grants.app)
        .post(`/grants/${grant.id}/checkout`)
        .set('Authorization', holder.authorization)
        .send({});
      expect(checkout.status).toBe(409);
      expect(checkout.body.error.code).toBe('grant.revoked');
      const requested = await database
        .db('audit_events')
        .where({ tenant: acme, subject: grant.id, action: 'grant.revoke_requested' })
        .first();
      expect(requested).toMatchObject({ actor_kind: 'technician', actor_id: caller.id });
      expect(requested.data).toMatchObject({ reason: 'ticket closed' });

      const worker = await h.startWorker();
      try {
        await waitFor(async () => !(await h.tokenAlive(grant.vault_accessor)));
        await waitFor(
          async () =>
            (await database.db('grants').where({ id: grant.id }).first()).status === 'revoked',
        );
      } finally {
        await worker.stop();
      }
      const revoked = await database
        .db('audit_events')
        .where({ tenant: acme, subject: grant.id, action: 'grant.revoked' });
      expect(revoked).toHaveLength(1);
      const session = await database.db('access_sessions').where({ id: sessionId }).first();
      expect(session.closed_at).toBeInstanceOf(Date);
      expect(session.close_reason).toBe('revoked');
      const closed = await database
        .db('audit_events')
        .where({ tenant: acme, subject: sessionId, action: 'session.closed' });
      expect(closed).toHaveLength(1);
    },
  );

  it('answers the same 202 when asked again while revoking, and 409 once revoked', async () => {
    const holder = await person('technician');
    const grant = await h.activeGrant(holder.id, acme);
    await revoke(grant.id, holder.authorization, { reason: 'first' }).expect(202);
    const events = await count('audit_events');

    const again = await revoke(grant.id, holder.authorization, { reason: 'second' });
    expect(again.status).toBe(202);
    expect(await count('audit_events')).toBe(events);

    await database.db('grants').where({ id: grant.id }).update({ status: 'revoked' });
    const ended = await revoke(grant.id, holder.authorization, { reason: 'third' });
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('grant.not_live');
  });
});
