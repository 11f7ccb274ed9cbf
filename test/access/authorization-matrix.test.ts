import request from 'supertest';
import { useTestDatabase } from '../support/database';
import { buildWorld, rowCounts } from './access-world';

const database = useTestDatabase();
let world: Awaited<ReturnType<typeof buildWorld>>;
let pendingId: string;

beforeAll(async () => {
  world = await buildWorld(database.db);
  const res = await world.ask(world.people.tech, world.adminBody());
  expect(res.status).toBe(201);
  pendingId = res.body.id;
});

type Who = keyof Awaited<ReturnType<typeof buildWorld>>['people'];
type Call = {
  name: string;
  send: (who: string) => request.Test;
  refused: [Who, number, string][];
};

// The refusals every endpoint owes (invariant 6): who may not, with which code.
const calls = (): Call[] => {
  const { app, tenant, ids } = world;
  const api = (method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object) => {
    return (who: string) => {
      const call = request(app)[method](`/api/v1${path}`).set('authorization', who);
      return body ? call.send(body) : call;
    };
  };
  const strangers: [Who, number, string][] = [
    ['unassigned', 404, 'request.not_found'],
    ['otherManager', 404, 'request.not_found'],
    ['auditor', 403, 'auth.forbidden_role'],
    ['disabled', 401, 'auth.unauthenticated'],
  ];
  const deciders: [Who, number, string][] = [
    ...strangers,
    ['tech', 403, 'request.self_approval'],
    ['tech2', 404, 'request.not_found'],
    ['admin', 403, 'request.not_approver'],
  ];
  const adminOnly: [Who, number, string][] = [
    ['tech', 403, 'auth.forbidden_role'],
    ['manager', 403, 'auth.forbidden_role'],
    ['auditor', 403, 'auth.forbidden_role'],
    ['disabled', 401, 'auth.unauthenticated'],
  ];
  const tenantStrangers: [Who, number, string][] = [
    ['unassigned', 403, 'tenant.not_assigned'],
    ['otherManager', 403, 'tenant.not_assigned'],
    ['disabled', 401, 'auth.unauthenticated'],
  ];
  return [
    {
      name: 'POST /requests',
      send: (who) => world.ask(who, world.readOnly()),
      refused: [...tenantStrangers, ['auditor', 403, 'auth.forbidden_role']],
    },
    { name: 'GET /requests/:id', send: api('get', `/requests/${pendingId}`), refused: strangers },
    {
      name: 'GET /requests?scope=all',
      send: api('get', '/requests?scope=all'),
      refused: [
        ['tech', 403, 'auth.forbidden_role'],
        ['manager', 403, 'auth.forbidden_role'],
        ['auditor', 403, 'auth.forbidden_role'],
        ['disabled', 401, 'auth.unauthenticated'],
      ],
    },
    {
      name: 'POST /requests/:id/approve',
      send: api('post', `/requests/${pendingId}/approve`, { note: 'ok' }),
      refused: deciders,
    },
    {
      name: 'POST /requests/:id/deny',
      send: api('post', `/requests/${pendingId}/deny`, { note: 'no' }),
      refused: deciders,
    },
    {
      name: 'POST /requests/:id/cancel',
      send: api('post', `/requests/${pendingId}/cancel`),
      refused: [
        ...strangers,
        ['manager', 403, 'request.not_requester'],
        ['tech2', 404, 'request.not_found'],
      ],
    },
    {
      name: 'GET /tenants/:tenant',
      send: api('get', `/tenants/${tenant}`),
      refused: tenantStrangers,
    },
    {
      name: 'GET /tenants/:tenant/profiles',
      send: api('get', `/tenants/${tenant}/profiles`),
      refused: [...tenantStrangers, ['auditor', 403, 'auth.forbidden_role']],
    },
    {
      name: 'POST /tenants',
      send: api('post', '/tenants', { slug: 'newco', name: 'New Co' }),
      refused: adminOnly,
    },
    {
      name: 'PUT /tenants/:tenant/assignments/:technician',
      send: api('put', `/tenants/${tenant}/assignments/${ids.unassigned.id}`, {
        relation: 'technician',
      }),
      refused: adminOnly,
    },
    {
      name: 'DELETE /tenants/:tenant/assignments/:technician',
      send: api('delete', `/tenants/${tenant}/assignments/${ids.tech2.id}`),
      refused: adminOnly,
    },
  ];
};

describe('authorization matrix', () => {
  it('refuses each endpoint to each caller who may not use it, with its code, writing nothing', async () => {
    let checked = 0;
    for (const call of calls()) {
      for (const [who, status, code] of call.refused) {
        const before = await rowCounts(database.db);
        const res = await call.send(world.people[who]);
        expect({ call: call.name, who, status: res.status, code: res.body.error?.code }).toEqual({
          call: call.name,
          who,
          status,
          code,
        });
        expect(await rowCounts(database.db)).toEqual(before);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(40);
    const row = await database.db('access_requests').where({ id: pendingId }).first('status');
    expect(row.status).toBe('pending');
  });

  it('lets the people who may see a request see it', async () => {
    for (const who of ['tech', 'manager', 'admin'] as const) {
      const res = await request(world.app)
        .get(`/api/v1/requests/${pendingId}`)
        .set('authorization', world.people[who]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: pendingId, status: 'pending' });
    }
  });

  it('lists pending requests for the tenants a manager manages, not for others', async () => {
    const list = async (who: Who) =>
      (
        await request(world.app)
          .get('/api/v1/requests?scope=pending')
          .set('authorization', world.people[who])
      ).body.requests.map((r: { id: string }) => r.id);
    expect(await list('manager')).toContain(pendingId);
    expect(await list('otherManager')).not.toContain(pendingId);
    expect(await list('tech')).not.toContain(pendingId);
    const mine = await request(world.app)
      .get('/api/v1/requests')
      .set('authorization', world.people.tech);
    expect(mine.body.requests.map((r: { id: string }) => r.id)).toContain(pendingId);
  });

  it('lists tenants by who is asking', async () => {
    const list = async (who: Who) =>
      (
        await request(world.app).get('/api/v1/tenants').set('authorization', world.people[who])
      ).body.tenants.map((t: { slug: string }) => t.slug);
    expect(await list('admin')).toEqual(expect.arrayContaining(['msp', world.tenant, world.other]));
    expect(await list('tech')).toEqual([world.tenant]);
    expect(await list('otherManager')).toEqual([world.other]);
    expect(await list('auditor')).toEqual([world.tenant]);
  });
});
