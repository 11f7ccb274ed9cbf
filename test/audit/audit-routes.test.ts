import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/app';
import { keyIdOf, parseSigningKey } from '../../src/audit/signing-key';
import { useTestDatabase } from '../support/database';
import { createTechnician, createTenant, signIn, testConfig } from '../support/factories';
import { appendEvents } from './audit-fixtures';

const database = useTestDatabase();
const { privateKey } = generateKeyPairSync('ed25519');
const signingKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const config = testConfig({ AUDIT_SIGNING_KEY: signingKey });

let app: ReturnType<typeof createApp>;
let tenantA: string;
let tenantB: string;
const auth: Record<string, string> = {};

beforeAll(async () => {
  const { db } = database;
  app = createApp({ config, db });
  tenantA = await createTenant(db);
  tenantB = await createTenant(db);
  await appendEvents(db, tenantA, 12);
  await appendEvents(db, tenantB, 3);
  const people = {
    admin: await createTechnician(db, { role: 'admin' }),
    auditorA: await createTechnician(db, { role: 'auditor', auditorTenant: tenantA }),
    auditorB: await createTechnician(db, { role: 'auditor', auditorTenant: tenantB }),
    manager: await createTechnician(db, { role: 'manager' }),
    technician: await createTechnician(db, { role: 'technician' }),
  };
  for (const [name, person] of Object.entries(people)) {
    auth[name] = (await signIn(db, config, person.id)).authorization;
  }
});

const READS = ['events', 'verify', 'export'] as const;

describe('audit routes: who may read', () => {
  it.each(READS)('GET /api/v1/audit/:tenant/%s answers 401 without a token', async (what) => {
    const res = await request(app).get(`/api/v1/audit/${tenantA}/${what}`);
    expect(res.status).toBe(401);
  });

  it.each(READS.flatMap((what) => ['auditorB', 'manager', 'technician'].map((who) => [what, who])))(
    'GET /api/v1/audit/:tenant/%s answers 403 audit.forbidden to %s for tenant A',
    async (what, who) => {
      const res = await request(app)
        .get(`/api/v1/audit/${tenantA}/${what}`)
        .set('authorization', auth[who]!);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('audit.forbidden');
    },
  );

  it.each(READS.flatMap((what) => ['admin', 'auditorA'].map((who) => [what, who])))(
    'GET /api/v1/audit/:tenant/%s answers 200 to %s for tenant A',
    async (what, who) => {
      const res = await request(app)
        .get(`/api/v1/audit/${tenantA}/${what}`)
        .set('authorization', auth[who]!);
      expect(res.status).toBe(200);
    },
  );

  it('answers 404 tenant.not_found to an admin for an unknown tenant, 403 to an auditor', async () => {
    const admin = await request(app)
      .get('/api/v1/audit/no-such-tenant/events')
      .set('authorization', auth.admin!);
    expect(admin.status).toBe(404);
    expect(admin.body.error.code).toBe('tenant.not_found');
    const auditor = await request(app)
      .get('/api/v1/audit/no-such-tenant/events')
      .set('authorization', auth.auditorA!);
    expect(auditor.status).toBe(403);
  });
});

describe('GET /api/v1/audit/:tenant/events', () => {
  const get = (query: Record<string, string>) =>
    request(app)
      .get(`/api/v1/audit/${tenantA}/events`)
      .query(query)
      .set('authorization', auth.auditorA!);

  it('pages by seq with after_seq and limit, with every chain field', async () => {
    const first = await get({ limit: '5' });
    expect(first.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(first.body.next_after_seq).toBe(5);
    expect(Object.keys(first.body.events[0]).sort()).toEqual([
      'action',
      'actor_id',
      'actor_kind',
      'data',
      'hash',
      'id',
      'prev_hash',
      'seq',
      'subject',
      'tenant',
      'time',
    ]);
    const last = await get({ limit: '5', after_seq: '10' });
    expect(last.body.events.map((e: { seq: number }) => e.seq)).toEqual([11, 12]);
    expect(last.body.next_after_seq).toBeNull();
  });

  it('filters by action, actor and subject', async () => {
    const byAction = await get({ action: 'grant.issued' });
    expect(byAction.body.events.map((e: { seq: number }) => e.seq)).toEqual([2, 5, 8, 11]);
    const byActor = await get({ actor: 'tech-1' });
    expect(byActor.body.events.every((e: { actor_id: string }) => e.actor_id === 'tech-1')).toBe(
      true,
    );
    expect(byActor.body.events.length).toBeGreaterThan(0);
    const bySubject = await get({ subject: 'subject-3' });
    expect(bySubject.body.events.map((e: { seq: number }) => e.seq)).toEqual([4]);
  });

  it('filters by time range, from inclusive and to exclusive', async () => {
    const all = (await get({})).body.events as { seq: number; time: string }[];
    const from = all[3]!.time;
    const to = all[6]!.time;
    const res = await get({ from, to });
    const expected = all.filter((e) => e.time >= from && e.time < to).map((e) => e.seq);
    expect(res.body.events.map((e: { seq: number }) => e.seq)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it.each([
    [{ limit: '0' }],
    [{ limit: 'many' }],
    [{ from: 'yesterday' }],
    [{ action: 'grant.stolen' }],
    [{ after_seq: '-1' }],
    [{ unknown: 'x' }],
  ])('answers 400 audit.invalid_query for %j', async (query) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('audit.invalid_query');
  });
});

describe('verify and export', () => {
  it('GET verify reports a clean chain', async () => {
    const res = await request(app)
      .get(`/api/v1/audit/${tenantA}/verify`)
      .set('authorization', auth.admin!);
    expect(res.body).toMatchObject({ tenant: tenantA, ok: true, fault: null });
  });

  it('GET export streams JSON Lines: header, checkpoints, then every event', async () => {
    await request(app)
      .post(`/api/v1/audit/${tenantB}/checkpoints`)
      .set('authorization', auth.admin!);
    const res = await request(app)
      .get(`/api/v1/audit/${tenantB}/export`)
      .set('authorization', auth.auditorB!);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.type)).toEqual([
      'header',
      'checkpoint',
      'event',
      'event',
      'event',
      'event',
    ]);
    expect(lines[0].public_key.key_id).toBe(keyIdOf(parseSigningKey(signingKey).publicKey));
    expect(lines[1]).toMatchObject({ seq: 4, hash: lines[5].hash });
    expect(lines.slice(2).every((line) => line.tenant === tenantB)).toBe(true);
  });
});

describe('checkpoints and the public key', () => {
  it('POST checkpoints answers 403 to an auditor and writes nothing', async () => {
    const before = await database
      .db('audit_checkpoints')
      .where({ tenant: tenantA })
      .count({ n: '*' });
    const res = await request(app)
      .post(`/api/v1/audit/${tenantA}/checkpoints`)
      .set('authorization', auth.auditorA!);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('audit.forbidden');
    expect(
      await database.db('audit_checkpoints').where({ tenant: tenantA }).count({ n: '*' }),
    ).toEqual(before);
  });

  it('POST checkpoints signs the head now for an admin, recording who asked', async () => {
    const res = await request(app)
      .post(`/api/v1/audit/${tenantA}/checkpoints`)
      .set('authorization', auth.admin!);
    expect(res.status).toBe(201);
    const event = await database
      .db('audit_events')
      .where({ tenant: tenantA, seq: res.body.seq })
      .first();
    expect(event).toMatchObject({
      action: 'audit.checkpoint',
      actor_kind: 'technician',
      hash: res.body.hash,
    });
    const verify = await request(app)
      .get(`/api/v1/audit/${tenantA}/verify`)
      .set('authorization', auth.admin!);
    expect(verify.body).toMatchObject({ ok: true, checkpoints: 1 });
  });

  it('GET /api/v1/audit/public-key is public and names the key', async () => {
    const res = await request(app).get('/api/v1/audit/public-key');
    expect(res.status).toBe(200);
    expect(res.body.algorithm).toBe('Ed25519');
    expect(res.body.pem).toContain('BEGIN PUBLIC KEY');
    expect(res.body.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE');
  });
});
