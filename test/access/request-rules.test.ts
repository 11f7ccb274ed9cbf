import request from 'supertest';
import { createApp } from '../../src/app';
import { useTestDatabase } from '../support/database';
import { testConfig } from '../support/factories';
import { buildWorld, rowCounts } from './access-world';

const database = useTestDatabase();
let world: Awaited<ReturnType<typeof buildWorld>>;

beforeAll(async () => {
  world = await buildWorld(database.db);
});

describe('request rules that depend on the tenant', () => {
  it('refuses a request on a churned tenant: tenant.not_active, nothing written', async () => {
    await database.db('tenants').where({ slug: world.other }).update({ status: 'churned' });
    const before = await rowCounts(database.db);
    const res = await world.ask(world.people.unassigned, world.readOnly({ tenant: world.other }));
    expect([res.status, res.body.error.code]).toEqual([409, 'tenant.not_active']);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('refuses to approve once the requester is no longer assigned', async () => {
    const id = (await world.ask(world.people.tech2, world.adminBody())).body.id;
    await database.db('assignments').where({ technician_id: world.ids.tech2.id }).delete();
    const before = await rowCounts(database.db);
    const res = await world.act(world.people.manager, id, 'approve');
    expect([res.status, res.body.error.code]).toEqual([409, 'request.requester_not_assigned']);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('applies the tenant override of the shipped example to requests', async () => {
    await database.db('tenants').insert({ slug: 'example-bank', name: 'Example Bank' });
    await database.db('assignments').insert({
      tenant: 'example-bank',
      technician_id: world.ids.tech.id,
      relation: 'technician',
    });
    const body = world.readOnly({ tenant: 'example-bank', ticket: 'PSA-9' });
    const long = await world.ask(world.people.tech, { ...body, duration: '2h' });
    expect(long.body.error.code).toBe('request.duration_exceeds_profile');
    const noTicket = await world.ask(world.people.tech, { ...body, duration: '1h', ticket: null });
    expect(noTicket.body.error.code).toBe('request.ticket_required');
    const ok = await world.ask(world.people.tech, { ...body, duration: '1h' });
    expect(ok.status).toBe(201);
    const row = await database.db('access_requests').where({ id: ok.body.id }).first();
    expect(row.policy_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers an auto-approved request with the grant status after issuance returns', async () => {
    const app = createApp({
      config: testConfig(),
      db: database.db,
      access: {
        issuance: {
          // Says nothing of the status it set: the answer must read it back.
          issue: async (grantId) => {
            await database.db('grants').where({ id: grantId }).update({ status: 'active' });
            return undefined;
          },
        },
      },
    });
    const res = await request(app)
      .post('/api/v1/requests')
      .set('authorization', world.people.tech)
      .send(world.readOnly({ profile: 'db-read-only', duration: 5400 }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'approved', grant_status: 'active' });
    const grant = await database.db('grants').where({ id: res.body.grant_id }).first();
    expect(grant).toMatchObject({ credential_kind: 'database', status: 'active' });
  });
});
