import { expirePendingRequests } from '../../src/access/expire-requests';
import { useTestDatabase } from '../support/database';
import { buildWorld } from './access-world';

const database = useTestDatabase();
let world: Awaited<ReturnType<typeof buildWorld>>;

beforeAll(async () => {
  world = await buildWorld(database.db);
});

// Ends every live grant, so the one-live rule lets the next case ask again.
afterEach(async () => {
  await database
    .db('grants')
    .whereIn('status', ['issuing', 'active'])
    .update({ status: 'expired' });
});

async function pendingAdminRequest(): Promise<string> {
  const res = await world.ask(world.people.tech, world.adminBody());
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('pending');
  return res.body.id;
}

async function actions(id: string) {
  return (await database.db('audit_events').where({ subject: id }).orderBy('seq')).map(
    (e) => e.action,
  );
}

type State = 'approved' | 'denied' | 'cancelled' | 'expired';
async function requestIn(state: State): Promise<string> {
  const id = await pendingAdminRequest();
  const { people, act } = world;
  if (state === 'approved') expect((await act(people.manager, id, 'approve')).status).toBe(200);
  if (state === 'denied') {
    expect((await act(people.manager, id, 'deny', { note: 'not now' })).status).toBe(200);
  }
  if (state === 'cancelled') expect((await act(people.tech, id, 'cancel')).status).toBe(200);
  if (state === 'expired') {
    await database
      .db('access_requests')
      .where({ id })
      .update({ expires_at: new Date(0) });
    await expirePendingRequests(database.db);
  }
  const row = await database.db('access_requests').where({ id }).first('status');
  expect(row.status).toBe(state);
  return id;
}

describe('request transitions', () => {
  it('auto-approves a profile without approvals: approved, with a grant in issuing', async () => {
    const res = await world.ask(world.people.tech, world.readOnly());
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('approved');
    const grant = await database.db('grants').where({ request_id: res.body.id }).first();
    expect(grant).toMatchObject({ id: res.body.grant_id, status: 'issuing' });
    expect(grant.credential_kind).toBe('vault-token');
    expect(grant.ends_at - grant.starts_at).toBe(2 * 3600 * 1000);
    expect(res.body.grant_status).toBe('issuing');
    expect(world.issued).toContain(grant.id);
    expect(await actions(res.body.id)).toEqual(['request.created', 'request.approved']);
    expect(await actions(grant.id)).toEqual(['grant.issuing']);
  });

  it('pending → approved by a manager: a grant in issuing, issuance called, notices sent', async () => {
    const id = await pendingAdminRequest();
    expect(world.notices.some((n) => n.type === 'request.pending' && n.request.id === id)).toBe(
      true,
    );
    const res = await world.act(world.people.manager, id, 'approve', { note: 'go ahead' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'approved', grant_status: 'issuing' });
    expect(world.issued).toContain(res.body.grant_id);
    expect(await actions(id)).toEqual(['request.created', 'request.approved']);
    const approvals = await database.db('approvals').where({ request_id: id });
    expect(approvals).toHaveLength(1);
    expect(world.notices.some((n) => n.type === 'request.decided' && n.request.id === id)).toBe(
      true,
    );
  });

  it('pending → denied, with the note', async () => {
    const id = await pendingAdminRequest();
    const res = await world.act(world.people.manager, id, 'deny', { note: 'use read-only' });
    expect(res.body).toMatchObject({ status: 'denied', decision_note: 'use read-only' });
    expect(await database.db('grants').where({ request_id: id })).toHaveLength(0);
    expect(await actions(id)).toEqual(['request.created', 'request.denied']);
  });

  it('pending → cancelled by the requester', async () => {
    const id = await pendingAdminRequest();
    const res = await world.act(world.people.tech, id, 'cancel');
    expect(res.body.status).toBe('cancelled');
    expect(await actions(id)).toEqual(['request.created', 'request.cancelled']);
  });

  it('pending → expired by the expiry run, audited by the broker', async () => {
    const id = await pendingAdminRequest();
    const later = new Date(Date.now() + world.config.requestPendingTtl * 1000 + 1000);
    expect(await expirePendingRequests(database.db, new Date())).toBe(0);
    expect(await expirePendingRequests(database.db, later)).toBeGreaterThanOrEqual(1);
    const row = await database.db('access_requests').where({ id }).first('status');
    expect(row.status).toBe('expired');
    const event = await database
      .db('audit_events')
      .where({ subject: id })
      .orderBy('seq', 'desc')
      .first();
    expect(event).toMatchObject({ action: 'request.expired', actor_kind: 'system' });
  });

  it('two approvers: the first is recorded, the same one again is refused, a second approves', async () => {
    const res = await world.ask(world.people.tech, {
      ...world.adminBody(),
      profile: 'break-glass',
    });
    const id = res.body.id;
    expect(res.body.approvals_required).toBe(2);
    const first = await world.act(world.people.manager, id, 'approve');
    expect(first.body).toMatchObject({ status: 'pending', approvals: 1, grant_id: null });
    const again = await world.act(world.people.manager, id, 'approve');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('request.already_approved');
    const second = await world.act(world.people.manager2, id, 'approve');
    expect(second.body).toMatchObject({ status: 'approved', approvals: 2 });
    expect(await actions(id)).toEqual([
      'request.created',
      'request.approval_recorded',
      'request.approved',
    ]);
  });

  const terminal: State[] = ['approved', 'denied', 'cancelled', 'expired'];
  const decisions = [
    ['approve', 'manager2', {}],
    ['deny', 'manager2', { note: 'no' }],
    ['cancel', 'tech', {}],
  ] as const;
  describe.each(terminal)('a %s request', (state) => {
    it.each(decisions)(
      'refuses %s with request.not_pending and writes nothing',
      async (action, who, body) => {
        const id = await requestIn(state);
        const before = await actions(id);
        const res = await world.act(world.people[who], id, action, body);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('request.not_pending');
        expect(await actions(id)).toEqual(before);
      },
    );
  });

  it.each(decisions)(
    '%s on a pending request past its time expires it: request.expired',
    async (action, who, body) => {
      const id = await pendingAdminRequest();
      await database
        .db('access_requests')
        .where({ id })
        .update({ expires_at: new Date(Date.now() - 1000) });
      const res = await world.act(world.people[who], id, action, body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('request.expired');
      const row = await database.db('access_requests').where({ id }).first('status');
      expect(row.status).toBe('expired');
      expect(await actions(id)).toEqual(['request.created', 'request.expired']);
    },
  );

  it('refuses approve and deny without a fresh MFA: auth.step_up_required', async () => {
    const id = await pendingAdminRequest();
    for (const action of ['approve', 'deny']) {
      const res = await world.act(world.people.managerStale, id, action, { note: 'x' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('auth.step_up_required');
    }
    const row = await database.db('access_requests').where({ id }).first('status');
    expect(row.status).toBe('pending');
    await world.act(world.people.tech, id, 'cancel');
  });

  it('refuses a step-up profile to a requester without a fresh MFA', async () => {
    const res = await world.ask(world.people.techStale, world.adminBody());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('auth.step_up_required');
  });

  it('refuses a second live request or grant for the same tenant and profile', async () => {
    const id = await pendingAdminRequest();
    const dup = await world.ask(world.people.tech, world.adminBody());
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('request.duplicate_live');
    await world.act(world.people.manager, id, 'approve');
    const whileGranted = await world.ask(world.people.tech, world.adminBody());
    expect(whileGranted.body.error.code).toBe('request.duplicate_live');
  });

  it('lets only one of two racing approvers win', async () => {
    const id = await pendingAdminRequest();
    const [a, b] = await Promise.all([
      world.act(world.people.manager, id, 'approve'),
      world.act(world.people.manager2, id, 'approve'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a.body.error?.code, b.body.error?.code]).toContain('request.not_pending');
    expect(await database.db('grants').where({ request_id: id })).toHaveLength(1);
  });

  it('lets only one of an approval and a cancellation racing each other win', async () => {
    const id = await pendingAdminRequest();
    const [approved, cancelled] = await Promise.all([
      world.act(world.people.manager, id, 'approve'),
      world.act(world.people.tech, id, 'cancel'),
    ]);
    const statuses = [approved.status, cancelled.status].sort();
    expect(statuses).toEqual([200, 409]);
    const row = await database.db('access_requests').where({ id }).first('status');
    const grants = await database.db('grants').where({ request_id: id });
    expect(grants).toHaveLength(row.status === 'approved' ? 1 : 0);
    expect(await actions(id)).toHaveLength(2);
  });
});
