import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app';
import { signHook } from '../../src/hooks/hook-signature';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn, testConfig } from '../support/factories';
import { getReceipt, postHook } from './hook-client';

const database = useTestDatabase();
const config = testConfig();
const secret = config.hookSecret;
const app = () => createApp({ config, db: database.db });

const TABLES = ['hook_events', 'audit_events', 'login_sessions', 'technicians'];

async function snapshot() {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    counts[table] = Number((await database.db(table).count({ n: '*' }))[0]!.n);
  }
  const disabled = await database.db('technicians').where({ status: 'disabled' }).count({ n: '*' });
  const ended = await database.db('login_sessions').whereNotNull('ended_at').count({ n: '*' });
  return { ...counts, disabled: Number(disabled[0]!.n), ended: Number(ended[0]!.n) };
}

async function victim() {
  const tech = await createTechnician(database.db);
  await signIn(database.db, config, tech.id);
  return tech;
}

const now = () => Math.floor(Date.now() / 1000);

describe('hook refusals change nothing', () => {
  it.each([
    [
      'a wrong secret',
      { secret: 'another-secret-of-at-least-32-characters!!' },
      'hook.bad_signature',
    ],
    ['a missing signature', { signature: '' }, 'hook.bad_signature'],
    ['a malformed signature', { signature: 'sha1=abc' }, 'hook.bad_signature'],
    ['a timestamp six minutes old', { timestamp: now() - 360 }, 'hook.stale'],
    ['a timestamp six minutes ahead', { timestamp: now() + 360 }, 'hook.stale'],
  ])('answers 401 for %s', async (_name, options, code) => {
    const tech = await victim();
    const before = await snapshot();

    const res = await postHook(
      app(),
      secret,
      'technician-offboarded',
      {
        event_id: randomUUID(),
        technician: { id: tech.id },
        reason: 'left the company',
      },
      options,
    );

    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe(code);
    expect(await snapshot()).toEqual(before);
  });

  it('answers 401 when the signed body was altered', async () => {
    const tech = await victim();
    const before = await snapshot();
    const signed = JSON.stringify({
      event_id: 'e-1',
      technician: { id: randomUUID() },
      reason: 'x',
    });
    const sent = JSON.stringify({ event_id: 'e-1', technician: { id: tech.id }, reason: 'x' });
    const timestamp = now();

    const res = await postHook(app(), secret, 'technician-offboarded', sent, {
      timestamp,
      signature: signHook(secret, timestamp, signed),
    });

    expect(res.status).toBe(401);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['invalid JSON', '{"event_id": '],
    ['no event id', { technician: { email: 'a@b.example' }, reason: 'left' }],
    ['neither id nor email', { event_id: 'e-2', technician: {}, reason: 'left' }],
    ['a bad technician id', { event_id: 'e-3', technician: { id: 'nope' }, reason: 'left' }],
    ['no reason', { event_id: 'e-4', technician: { email: 'a@b.example' } }],
    [
      'an unknown field',
      { event_id: 'e-5', technician: { email: 'a@b.example' }, reason: 'x', y: 1 },
    ],
  ])('answers 400 hook.invalid for %s', async (_name, body) => {
    await victim();
    const before = await snapshot();

    const res = await postHook(app(), secret, 'technician-offboarded', body);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('hook.invalid');
    expect(await snapshot()).toEqual(before);
  });

  it('answers 400 for a malformed tenant-offboarded body and 404 for an unknown tenant', async () => {
    const before = await snapshot();
    const bad = await postHook(app(), secret, 'tenant-offboarded', {
      event_id: 'e-6',
      tenant: 'A!',
      reason: 'churn',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('hook.invalid');
    const unknown = await postHook(app(), secret, 'tenant-offboarded', {
      event_id: 'e-7',
      tenant: 'no-such-tenant',
      reason: 'churn',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('hook.unknown_tenant');
    expect(await snapshot()).toEqual(before);
  });

  it('answers 404 hook.unknown_technician and records no event', async () => {
    const before = await snapshot();
    const res = await postHook(app(), secret, 'technician-offboarded', {
      event_id: 'e-8',
      technician: { email: 'nobody@msp.example' },
      reason: 'left',
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('hook.unknown_technician');
    expect(await snapshot()).toEqual(before);
  });

  it('answers 409 hook.event_conflict for a known event id with a different body', async () => {
    const first = await victim();
    const second = await victim();
    const eventId = randomUUID();
    await postHook(app(), secret, 'technician-offboarded', {
      event_id: eventId,
      technician: { id: first.id },
      reason: 'left',
    }).expect(201);
    const before = await snapshot();

    const res = await postHook(app(), secret, 'technician-offboarded', {
      event_id: eventId,
      technician: { id: second.id },
      reason: 'left',
    });

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('hook.event_conflict');
    expect(await snapshot()).toEqual(before);
    const row = await database.db('technicians').where({ id: second.id }).first();
    expect(row.status).toBe('active');
  });
});

describe('GET /hooks/receipts/:id', () => {
  it('answers a signed caller and an admin, refuses others', async () => {
    const tech = await victim();
    const created = await postHook(app(), secret, 'technician-offboarded', {
      event_id: randomUUID(),
      technician: { email: tech.email.toUpperCase() },
      reason: 'left',
    }).expect(201);
    const id = created.body.id as string;

    const signed = await getReceipt(app(), secret, id);
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ id, status: 'complete', technician: { id: tech.id } });

    const admin = await createTechnician(database.db, { role: 'admin' });
    const asAdmin = await signIn(database.db, config, admin.id);
    const byAdmin = await request(app())
      .get(`/api/v1/hooks/receipts/${id}`)
      .set('Authorization', asAdmin.authorization);
    expect(byAdmin.status).toBe(200);

    const other = await createTechnician(database.db, { role: 'manager' });
    const asOther = await signIn(database.db, config, other.id);
    const byOther = await request(app())
      .get(`/api/v1/hooks/receipts/${id}`)
      .set('Authorization', asOther.authorization);
    expect(byOther.status).toBe(403);

    const unsigned = await request(app()).get(`/api/v1/hooks/receipts/${id}`);
    expect(unsigned.status).toBe(401);
    const wrong = await getReceipt(app(), 'x'.repeat(40), id);
    expect(wrong.status).toBe(401);
    const missing = await getReceipt(app(), secret, randomUUID());
    expect(missing.status).toBe(404);
  });
});
