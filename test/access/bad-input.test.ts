import request from 'supertest';
import { useTestDatabase } from '../support/database';
import { buildWorld, rowCounts } from './access-world';

const database = useTestDatabase();
let world: Awaited<ReturnType<typeof buildWorld>>;
let pendingId: string;

beforeAll(async () => {
  world = await buildWorld(database.db);
  pendingId = (await world.ask(world.people.tech, world.adminBody())).body.id;
});

const long = (n: number) => 'x'.repeat(n);

// [case, body change (undefined removes the field), status, code]
const requestCases: [string, Record<string, unknown>, number, string][] = [
  ['no tenant', { tenant: undefined }, 400, 'request.invalid'],
  ['no profile', { profile: undefined }, 400, 'request.invalid'],
  ['no duration', { duration: undefined }, 400, 'request.invalid'],
  ['no justification', { justification: undefined }, 400, 'request.invalid'],
  ['tenant of the wrong type', { tenant: 42 }, 400, 'request.invalid'],
  ['duration of the wrong type', { duration: true }, 400, 'request.invalid'],
  ['justification of the wrong type', { justification: ['a'] }, 400, 'request.invalid'],
  ['an unknown field', { role: 'admin' }, 400, 'request.invalid'],
  ['a malformed tenant', { tenant: 'ACME; drop' }, 400, 'request.invalid'],
  ['a malformed profile', { profile: '../admin' }, 400, 'request.invalid'],
  ['zero duration', { duration: 0 }, 400, 'request.duration_invalid'],
  ['zero duration text', { duration: '0m' }, 400, 'request.duration_invalid'],
  ['negative duration', { duration: -3600 }, 400, 'request.duration_invalid'],
  ['negative duration text', { duration: '-1h' }, 400, 'request.duration_invalid'],
  ['fractional seconds', { duration: 90.5 }, 400, 'request.duration_invalid'],
  ['huge duration', { duration: 1e15 }, 400, 'request.duration_invalid'],
  ['huge duration text', { duration: '999999h' }, 400, 'request.duration_invalid'],
  ['days', { duration: '2d' }, 400, 'request.duration_invalid'],
  ['over the profile maximum', { duration: '4h1s' }, 400, 'request.duration_exceeds_profile'],
  ['an unknown profile', { profile: 'root' }, 400, 'profile.unknown'],
  ['an unknown tenant', { tenant: 'no-such-customer' }, 403, 'tenant.not_assigned'],
  ['a short justification', { justification: 'because' }, 400, 'request.justification_too_short'],
  ['an oversize justification', { justification: long(2001) }, 400, 'request.invalid'],
  ['an oversize ticket', { ticket: long(101) }, 400, 'request.invalid'],
  [
    'a NUL in the justification',
    { justification: 'fix the\u0000 backup job' },
    400,
    'request.invalid',
  ],
  ['an escape in the ticket', { ticket: 'PSA-1\u001b[2J' }, 400, 'request.invalid'],
  [
    'a C1 control in the justification',
    { justification: 'fix the \u009b backup' },
    400,
    'request.invalid',
  ],
];

describe('bad input writes nothing', () => {
  it.each(requestCases)('POST /requests with %s: %i %s', async (_case, change, status, code) => {
    const body: Record<string, unknown> = { ...world.readOnly(), ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete body[key];
    const before = await rowCounts(database.db);
    const res = await world.ask(world.people.tech, body);
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('POST /requests without a ticket on a profile that needs one: request.ticket_required', async () => {
    const before = await rowCounts(database.db);
    const res = await world.ask(world.people.tech2, world.adminBody({ ticket: '  ' }));
    expect([res.status, res.body.error?.code]).toEqual([400, 'request.ticket_required']);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  type Raw = [string, () => request.Test, number, string];
  const rawCases = (): Raw[] => {
    const { app, people, tenant, ids } = world;
    const post = (path: string, who = people.tech) =>
      request(app).post(`/api/v1${path}`).set('authorization', who);
    const put = (path: string) =>
      request(app).put(`/api/v1${path}`).set('authorization', people.admin);
    return [
      [
        'malformed JSON',
        () => post('/requests').set('content-type', 'application/json').send('{"tenant":'),
        400,
        'request.malformed_json',
      ],
      ['a JSON array', () => post('/requests').send([world.readOnly()]), 400, 'request.invalid'],
      [
        'a bad Idempotency-Key',
        () => post('/requests').set('idempotency-key', 'a b').send(world.readOnly()),
        400,
        'request.idempotency_key_invalid',
      ],
      [
        'an oversize Idempotency-Key',
        () => post('/requests').set('idempotency-key', long(201)).send(world.readOnly()),
        400,
        'request.idempotency_key_invalid',
      ],
      [
        'a deny without a note',
        () => post(`/requests/${pendingId}/deny`, people.manager).send({}),
        400,
        'request.invalid',
      ],
      [
        'a deny with a blank note',
        () => post(`/requests/${pendingId}/deny`, people.manager).send({ note: '   ' }),
        400,
        'request.invalid',
      ],
      [
        'an approve note with control characters',
        () => post(`/requests/${pendingId}/approve`, people.manager).send({ note: 'ok\u0007' }),
        400,
        'request.invalid',
      ],
      [
        'a malformed request id',
        () => post('/requests/not-a-uuid/approve', people.manager).send({}),
        400,
        'request.invalid',
      ],
      [
        'an unknown request id',
        () =>
          post('/requests/00000000-0000-4000-8000-000000000000/approve', people.manager).send({}),
        404,
        'request.not_found',
      ],
      [
        'a tenant with a bad slug',
        () => post('/tenants', people.admin).send({ slug: 'Bad Slug', name: 'x' }),
        400,
        'request.invalid',
      ],
      [
        'a tenant without a name',
        () => post('/tenants', people.admin).send({ slug: 'newco' }),
        400,
        'request.invalid',
      ],
      [
        'a tenant with an oversize name',
        () => post('/tenants', people.admin).send({ slug: 'newco', name: long(201) }),
        400,
        'request.invalid',
      ],
      [
        'a tenant name with control characters',
        () => post('/tenants', people.admin).send({ slug: 'newco', name: 'New\u0000Co' }),
        400,
        'request.invalid',
      ],
      [
        'an existing tenant',
        () => post('/tenants', people.admin).send({ slug: tenant, name: 'Again' }),
        409,
        'tenant.exists',
      ],
      [
        'an unknown relation',
        () =>
          put(`/tenants/${tenant}/assignments/${ids.unassigned.id}`).send({ relation: 'owner' }),
        400,
        'request.invalid',
      ],
      [
        'a malformed technician id',
        () => put(`/tenants/${tenant}/assignments/42`).send({ relation: 'technician' }),
        400,
        'request.invalid',
      ],
      [
        'an unknown technician',
        () =>
          put(`/tenants/${tenant}/assignments/00000000-0000-4000-8000-000000000000`).send({
            relation: 'technician',
          }),
        404,
        'technician.not_found',
      ],
      [
        'an unknown tenant',
        () =>
          put(`/tenants/nowhere/assignments/${ids.unassigned.id}`).send({ relation: 'technician' }),
        404,
        'tenant.not_found',
      ],
      [
        'a technician as manager',
        () =>
          put(`/tenants/${tenant}/assignments/${ids.unassigned.id}`).send({ relation: 'manager' }),
        400,
        'assignment.role_mismatch',
      ],
      [
        'an auditor assigned',
        () =>
          put(`/tenants/${tenant}/assignments/${ids.auditor.id}`).send({ relation: 'technician' }),
        400,
        'assignment.role_mismatch',
      ],
    ];
  };

  it('refuses every other bad input with its code, writing nothing', async () => {
    for (const [name, send, status, code] of rawCases()) {
      const before = await rowCounts(database.db);
      const res = await send();
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({
        name,
        status,
        code,
      });
      expect(await rowCounts(database.db)).toEqual(before);
    }
  });
});
