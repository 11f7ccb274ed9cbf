import request from 'supertest';
import { createApp } from '../../src/app';
import type { Role } from '../../src/identity/roles';
import { createTechnician, createTenant, signIn, testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { auditActions, enrolledTechnician } from './identity-fixtures';

const database = useTestDatabase();
const config = testConfig();
const app = () => createApp({ config, db: database.db });

async function as(role: Role) {
  const tech = await createTechnician(database.db, { role });
  return { ...tech, ...(await signIn(database.db, config, tech.id)) };
}

const count = async (table: string) =>
  Number((await database.db(table).count({ n: '*' }).first())!.n);

describe('/technicians', () => {
  it.each(['technician', 'manager', 'auditor'] as Role[])(
    'refuses a %s with 403 on every admin route',
    async (role) => {
      const caller = await as(role);
      const target = await createTechnician(database.db);
      const calls = [
        request(app()).get('/api/v1/technicians'),
        request(app()).post('/api/v1/technicians').send({}),
        request(app()).post(`/api/v1/technicians/${target.id}/enrollment`),
        request(app()).post(`/api/v1/technicians/${target.id}/disable`),
      ];
      for (const call of calls) {
        const res = await call.set('authorization', caller.authorization);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('auth.forbidden_role');
      }
    },
  );

  it('creates a pending technician with an enrollment token, audited', async () => {
    const admin = await as('admin');
    const res = await request(app())
      .post('/api/v1/technicians')
      .set('authorization', admin.authorization)
      .send({ email: 'ana@msp.example', display_name: 'Ana', role: 'manager' });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'ana@msp.example',
      role: 'manager',
      status: 'pending',
    });
    expect(res.body.enrollment_token).toEqual(expect.any(String));
    const token = await database
      .db('enrollment_tokens')
      .where({ technician_id: res.body.id })
      .first();
    expect(token.token_hash).not.toBe(res.body.enrollment_token);
    expect(await auditActions(database.db, res.body.id)).toEqual([
      'technician.created',
      'technician.enrollment_issued',
    ]);
    const list = await request(app())
      .get('/api/v1/technicians')
      .set('authorization', admin.authorization);
    expect(list.body.technicians.map((t: { id: string }) => t.id)).toContain(res.body.id);
    expect(JSON.stringify(list.body)).not.toMatch(/password|totp_secret/);
  });

  it('binds a customer auditor to one tenant', async () => {
    const admin = await as('admin');
    const tenant = await createTenant(database.db);
    const res = await request(app())
      .post('/api/v1/technicians')
      .set('authorization', admin.authorization)
      .send({
        email: 'aud@customer.example',
        display_name: 'Aud',
        role: 'auditor',
        auditor_tenant: tenant,
      });
    expect(res.status).toBe(201);
    expect(res.body.auditor_tenant).toBe(tenant);
  });

  it.each([
    ['technician.invalid', { email: 'not-an-email', display_name: 'X', role: 'technician' }],
    ['technician.invalid', { email: 'x@msp.example', display_name: '', role: 'technician' }],
    ['technician.invalid', { email: 'x@msp.example', display_name: 'X', role: 'root' }],
    [
      'technician.invalid',
      { email: 'x@msp.example', display_name: 'X', role: 'technician', extra: 1 },
    ],
    [
      'technician.auditor_tenant_needs_auditor',
      { email: 'x@msp.example', display_name: 'X', role: 'technician', auditor_tenant: 'msp' },
    ],
    [
      'technician.unknown_tenant',
      { email: 'x@msp.example', display_name: 'X', role: 'auditor', auditor_tenant: 'no-such' },
    ],
  ])('answers 400 %s and writes no row', async (code, body) => {
    const admin = await as('admin');
    const before = [await count('technicians'), await count('audit_events')];
    const res = await request(app())
      .post('/api/v1/technicians')
      .set('authorization', admin.authorization)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect([await count('technicians'), await count('audit_events')]).toEqual(before);
  });

  it('answers 409 for an email already taken, in any case', async () => {
    const admin = await as('admin');
    const existing = await createTechnician(database.db);
    const res = await request(app())
      .post('/api/v1/technicians')
      .set('authorization', admin.authorization)
      .send({ email: existing.email.toUpperCase(), display_name: 'Dup', role: 'technician' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('technician.email_taken');
  });

  it('resets MFA with a new enrollment token: secrets cleared, sessions ended', async () => {
    const admin = await as('admin');
    const tech = await enrolledTechnician(database.db, config);
    const session = await signIn(database.db, config, tech.id);

    const res = await request(app())
      .post(`/api/v1/technicians/${tech.id}/enrollment`)
      .set('authorization', admin.authorization);

    expect(res.status).toBe(201);
    const row = await database.db('technicians').where({ id: tech.id }).first();
    expect(row).toMatchObject({ status: 'pending', password_hash: null, totp_secret_enc: null });
    const me = await request(app()).get('/api/v1/me').set('authorization', session.authorization);
    expect(me.status).toBe(401);
    expect(await auditActions(database.db, tech.id)).toEqual([
      'technician.mfa_reset',
      'technician.enrollment_issued',
    ]);
  });

  it('disables a technician: every session ends, enrollment stops, audited', async () => {
    const admin = await as('admin');
    const tech = await createTechnician(database.db);
    await signIn(database.db, config, tech.id);
    await signIn(database.db, config, tech.id);

    const res = await request(app())
      .post(`/api/v1/technicians/${tech.id}/disable`)
      .set('authorization', admin.authorization);

    expect(res.status).toBe(200);
    expect(res.body.status).toBe('disabled');
    const live = await database
      .db('login_sessions')
      .where({ technician_id: tech.id })
      .whereNull('ended_at');
    expect(live).toHaveLength(0);
    expect(await auditActions(database.db, tech.id)).toEqual(['technician.disabled']);
    const again = await request(app())
      .post(`/api/v1/technicians/${tech.id}/enrollment`)
      .set('authorization', admin.authorization);
    expect(again.body.error.code).toBe('technician.disabled');
  });

  it('refuses an admin disabling themselves', async () => {
    const admin = await as('admin');
    const res = await request(app())
      .post(`/api/v1/technicians/${admin.id}/disable`)
      .set('authorization', admin.authorization);
    expect(res.body.error.code).toBe('technician.cannot_disable_self');
  });

  it.each([
    ['not-a-uuid', 400, 'technician.invalid'],
    ['00000000-0000-4000-8000-000000000000', 404, 'technician.not_found'],
  ])('answers the technician id %p with %d %s', async (id, status, code) => {
    const admin = await as('admin');
    const res = await request(app())
      .post(`/api/v1/technicians/${id}/disable`)
      .set('authorization', admin.authorization);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});
