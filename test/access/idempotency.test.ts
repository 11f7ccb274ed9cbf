import { useTestDatabase } from '../support/database';
import { buildWorld } from './access-world';

const database = useTestDatabase();
let world: Awaited<ReturnType<typeof buildWorld>>;

beforeAll(async () => {
  world = await buildWorld(database.db);
});

const count = async () => Number((await database.db('access_requests').count({ n: '*' }))[0]!.n);

describe('Idempotency-Key on POST /requests', () => {
  it('makes one request from the same request sent twice with one key', async () => {
    const before = await count();
    const first = await world.ask(world.people.tech, world.adminBody(), 'key-1');
    const second = await world.ask(world.people.tech, world.adminBody(), 'key-1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.status).toBe('pending');
    expect(await count()).toBe(before + 1);
    const created = await database
      .db('audit_events')
      .where({ subject: first.body.id, action: 'request.created' });
    expect(created).toHaveLength(1);
  });

  it('makes one request and one grant when an auto-approved request races itself', async () => {
    const before = await count();
    const answers = await Promise.all(
      [1, 2, 3].map(() => world.ask(world.people.tech, world.readOnly(), 'key-race')),
    );
    const ids = new Set(answers.map((res) => res.body.id));
    expect(ids.size).toBe(1);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 201]);
    expect(await count()).toBe(before + 1);
    const grants = await database.db('grants').where({ request_id: [...ids][0] });
    expect(grants).toHaveLength(1);
    expect(answers.every((res) => res.body.grant_id === grants[0].id)).toBe(true);
  });

  it('refuses the same key with a different request: request.idempotency_key_reused', async () => {
    const before = await count();
    const res = await world.ask(world.people.tech, world.readOnly({ duration: '1h' }), 'key-1');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('request.idempotency_key_reused');
    expect(await count()).toBe(before);
  });

  it('keeps keys per technician: another technician with the same key gets their own', async () => {
    const mine = await world.ask(world.people.tech2, world.adminBody(), 'key-1');
    expect(mine.status).toBe(201);
    const first = await database.db('access_requests').where({ idempotency_key: 'key-1' });
    expect(first).toHaveLength(2);
  });
});

describe('the same request raced without a key', () => {
  it('makes one request and refuses the others as request.duplicate_live', async () => {
    const before = await count();
    const answers = await Promise.all(
      [1, 2, 3].map(() => world.ask(world.people.tech2, world.readOnly())),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409, 409]);
    const refused = answers.filter((res) => res.status === 409);
    expect(refused.map((res) => res.body.error.code)).toEqual([
      'request.duplicate_live',
      'request.duplicate_live',
    ]);
    expect(await count()).toBe(before + 1);
  });
});
