import request from 'supertest';
import { createApp } from '../../src/app';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn, testConfig } from '../support/factories';

const database = useTestDatabase();
const config = testConfig();
let app: ReturnType<typeof createApp>;
let admin: string;

beforeAll(async () => {
  app = createApp({ config, db: database.db });
  const person = await createTechnician(database.db, { role: 'admin' });
  admin = (await signIn(database.db, config, person.id)).authorization;
});

const auditActions = async (tenant: string) =>
  (await database.db('audit_events').where({ tenant }).orderBy('seq')).map((e) => e.action);

describe('tenants and assignments', () => {
  it('POST /tenants creates an active tenant, audited in its own chain', async () => {
    const res = await request(app)
      .post('/api/v1/tenants')
      .set('authorization', admin)
      .send({ slug: 'acme', name: 'Acme Ltd' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug: 'acme', name: 'Acme Ltd', status: 'active' });
    expect(await auditActions('acme')).toEqual(['tenant.created']);
    const one = await request(app).get('/api/v1/tenants/acme').set('authorization', admin);
    expect(one.body.status).toBe('active');
    const missing = await request(app).get('/api/v1/tenants/nowhere').set('authorization', admin);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'tenant.not_found']);
  });

  it('shows churned tenants as churned', async () => {
    await database.db('tenants').insert({ slug: 'gone', name: 'Gone', status: 'churned' });
    const res = await request(app).get('/api/v1/tenants/gone').set('authorization', admin);
    expect(res.body.status).toBe('churned');
    const tech = await createTechnician(database.db);
    const put = await request(app)
      .put(`/api/v1/tenants/gone/assignments/${tech.id}`)
      .set('authorization', admin)
      .send({ relation: 'technician' });
    expect([put.status, put.body.error.code]).toEqual([409, 'tenant.not_active']);
  });

  it('PUT assigns once (201, then 200), DELETE removes, each audited', async () => {
    const manager = await createTechnician(database.db, { role: 'manager' });
    const path = `/api/v1/tenants/acme/assignments/${manager.id}`;
    const put = () =>
      request(app).put(path).set('authorization', admin).send({ relation: 'manager' });
    expect((await put()).status).toBe(201);
    expect((await put()).status).toBe(200);
    const rows = await database.db('assignments').where({ technician_id: manager.id });
    expect(rows).toMatchObject([{ tenant: 'acme', relation: 'manager' }]);

    const managerAuth = (await signIn(database.db, config, manager.id)).authorization;
    const profiles = await request(app)
      .get('/api/v1/tenants/acme/profiles')
      .set('authorization', managerAuth);
    expect(profiles.status).toBe(200);
    expect(profiles.body.profiles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'admin',
          max_duration: '2h',
          approvals_required: 1,
          step_up: true,
          ticket_required: true,
        }),
        expect.objectContaining({ name: 'read-only', max_duration: '4h', approvals_required: 0 }),
      ]),
    );

    const del = await request(app).delete(`${path}?relation=manager`).set('authorization', admin);
    expect(del.status).toBe(204);
    const again = await request(app).delete(path).set('authorization', admin);
    expect([again.status, again.body.error.code]).toEqual([404, 'assignment.not_found']);
    expect(await auditActions('acme')).toEqual([
      'tenant.created',
      'assignment.added',
      'assignment.removed',
    ]);
  });

  it('shows a tenant override in the profiles of that tenant', async () => {
    await database.db('tenants').insert({ slug: 'example-bank', name: 'Example Bank' });
    const res = await request(app)
      .get('/api/v1/tenants/example-bank/profiles')
      .set('authorization', admin);
    const readOnly = res.body.profiles.find((p: { name: string }) => p.name === 'read-only');
    expect(readOnly).toMatchObject({ max_duration: '1h', ticket_required: true });
  });

  it('refuses everything without a token', async () => {
    const res = await request(app).get('/api/v1/tenants');
    expect([res.status, res.body.error.code]).toEqual([401, 'auth.unauthenticated']);
  });
});
