import request from 'supertest';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn } from '../support/factories';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { grantHarness } from './grant-harness';

const database = useTestDatabase();
let vault: VaultFixture;
let h: ReturnType<typeof grantHarness>;

beforeAll(async () => {
  vault = await startVaultFixture();
  for (const slug of vault.tenants) await database.db('tenants').insert({ slug, name: slug });
  h = grantHarness(database.db, vault);
});
afterAll(async () => {
  await vault?.stop();
});

async function openSession() {
  const tech = await createTechnician(database.db);
  const { authorization } = await signIn(database.db, h.config, tech.id);
  const grantId = await h.issuingGrant(tech.id, vault.tenants[0], 'read-only');
  await h.issuance.issue(grantId);
  const res = await request(h.app).post(`/grants/${grantId}/checkout`).set({ authorization });
  return { tech, authorization, grantId, sessionId: res.body.session_id as string };
}

async function actions(subject: string) {
  const rows = await database.db('audit_events').where({ subject }).orderBy('seq');
  return rows.map((row) => row.action);
}

describe('access sessions', () => {
  it('takes heartbeats from the holder and closes once', async () => {
    const { authorization, sessionId } = await openSession();

    const beat = await request(h.app)
      .post(`/sessions/${sessionId}/heartbeat`)
      .set({ authorization });
    expect(beat.status).toBe(200);
    expect(beat.body).toMatchObject({ id: sessionId, status: 'open' });
    expect(beat.body.last_heartbeat_at).toEqual(expect.any(String));

    const closed = await request(h.app).post(`/sessions/${sessionId}/close`).set({ authorization });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', close_reason: 'closed by holder' });
    expect(await actions(sessionId)).toEqual([
      'session.opened',
      'session.heartbeat',
      'session.closed',
    ]);

    for (const step of ['heartbeat', 'close']) {
      const again = await request(h.app)
        .post(`/sessions/${sessionId}/${step}`)
        .set({ authorization });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('session.closed');
    }
    expect(await actions(sessionId)).toHaveLength(3);
  });

  it('refuses heartbeats once the grant is no longer active', async () => {
    const { authorization, grantId, sessionId } = await openSession();
    await database.db('grants').where({ id: grantId }).update({ status: 'revoking' });
    const res = await request(h.app)
      .post(`/sessions/${sessionId}/heartbeat`)
      .set({ authorization });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('session.grant_ended');
  });

  it('refuses another technician, writing nothing', async () => {
    const { sessionId } = await openSession();
    const other = await createTechnician(database.db);
    const { authorization } = await signIn(database.db, h.config, other.id);
    for (const step of ['heartbeat', 'close']) {
      const res = await request(h.app)
        .post(`/sessions/${sessionId}/${step}`)
        .set({ authorization });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('session.not_holder');
    }
    expect(await actions(sessionId)).toEqual(['session.opened']);
    const lookup = await request(h.app).get(`/sessions/${sessionId}`).set({ authorization });
    expect(lookup.status).toBe(404);
  });
});

describe('GET /grants', () => {
  it('shows holders their own grants, managers their tenants’, and hides the rest', async () => {
    const [acme] = vault.tenants;
    const { tech, grantId } = await openSession();
    const manager = await createTechnician(database.db, { role: 'manager' });
    await database.db('assignments').insert({
      tenant: acme,
      technician_id: manager.id,
      relation: 'manager',
    });
    const stranger = await createTechnician(database.db);

    const asHolder = await signIn(database.db, h.config, tech.id);
    const asManager = await signIn(database.db, h.config, manager.id);
    const asStranger = await signIn(database.db, h.config, stranger.id);

    const own = await request(h.app).get('/grants').set('authorization', asHolder.authorization);
    expect(own.body.grants.map((g: { id: string }) => g.id)).toContain(grantId);
    expect(JSON.stringify(own.body)).not.toMatch(/parked|accessor|lease/);
    const managed = await request(h.app)
      .get(`/grants/${grantId}`)
      .set('authorization', asManager.authorization);
    expect(managed.status).toBe(200);
    expect(managed.body).toMatchObject({ id: grantId, status: 'active', tenant: acme });
    expect(managed.body.seconds_left).toBeGreaterThan(0);
    const hidden = await request(h.app)
      .get(`/grants/${grantId}`)
      .set('authorization', asStranger.authorization);
    expect(hidden.status).toBe(404);
    const none = await request(h.app).get('/grants').set('authorization', asStranger.authorization);
    expect(none.body.grants).toEqual([]);
  });

  it('refuses an unknown filter with 400', async () => {
    const { authorization } = await openSession();
    const res = await request(h.app).get('/grants?status=bogus').set({ authorization });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('grant.invalid_query');
  });
});
