import pg from 'pg';
import { JobOutboxRelay, outboxJobCall, relayAll, RELAY_BATCH } from '../../src/jobs/job-outbox';
import type { JobName } from '../../src/jobs/job-queue';
import { revocationTasks } from '../../src/revocation/revocation-tasks';
import type { Issuers } from '../../src/revocation/revocation-types';
import { useTestDatabase } from '../support/database';
import { waitFor } from '../revocation/revocation-harness';

const database = useTestDatabase();

const later = () => new Date(Date.now() + 3600_000);

async function putInOutbox(key: string | null, payload: Record<string, unknown>, runAt = later()) {
  const call = outboxJobCall(database.db, 'grant-expire', payload, {
    runAt,
    ...(key ? { jobKey: key } : {}),
  });
  await database.db.select(call);
}

const outboxRows = async () => Number((await database.db('job_outbox').count({ n: '*' }))[0]!.n);
const queued = (key: string) =>
  database.db('graphile_worker._private_jobs').where({ key }).select('payload', 'run_at');

describe('the job outbox', () => {
  it('holds a job until a relay moves it into the queue as it was written', async () => {
    const runAt = later();
    await putInOutbox('outbox-1', { grant_id: 'a' }, runAt);
    expect(await queued('outbox-1')).toEqual([]);

    expect(await relayAll(database.db)).toBe(1);
    expect(await queued('outbox-1')).toEqual([{ payload: { grant_id: 'a' }, run_at: runAt }]);
    const job = await database
      .db('graphile_worker.jobs')
      .where({ key: 'outbox-1' })
      .first('task_identifier', 'max_attempts');
    expect(job).toEqual({ task_identifier: 'grant-expire' satisfies JobName, max_attempts: 32767 });
    expect(await outboxRows()).toBe(0);
  });

  it('keeps the last of two rows with one key, in one relay or in two', async () => {
    await putInOutbox('outbox-2', { grant_id: 'first' });
    await putInOutbox('outbox-2', { grant_id: 'second' });
    await relayAll(database.db);
    expect((await queued('outbox-2')).map((job) => job.payload)).toEqual([{ grant_id: 'second' }]);

    await putInOutbox('outbox-2', { grant_id: 'third' });
    await relayAll(database.db);
    expect((await queued('outbox-2')).map((job) => job.payload)).toEqual([{ grant_id: 'third' }]);
  });

  it('writes nothing when the statement that wrote the row rolls back', async () => {
    await expect(
      database.db.transaction(async (trx) => {
        await trx.select(outboxJobCall(trx, 'grant-expire', {}, { runAt: later() }));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await outboxRows()).toBe(0);
  });

  it('moves each row once when relays run side by side', async () => {
    const count = 2 * RELAY_BATCH + 100;
    await database.db.raw(
      `select job_outbox_add('grant-expire', json_build_object('grant_id', i),
         now() + interval '1 hour', 'outbox-3-' || i, 32767::smallint)
         from generate_series(1, ?) as i`,
      [count],
    );
    const moved = await Promise.all([1, 2, 3].map(() => relayAll(database.db)));
    expect(moved.reduce((a, b) => a + b, 0)).toBe(count);
    const jobs = await database
      .db('graphile_worker._private_jobs')
      .where('key', 'like', 'outbox-3-%')
      .count({ n: '*' });
    expect(Number(jobs[0]!.n)).toBe(count);
    expect(await outboxRows()).toBe(0);
  });

  it('wakes workers once per relay that moved rows, and not for an empty outbox', async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    try {
      await listener.query('listen "jobs:insert"');
      expect(await relayAll(database.db)).toBe(0);
      for (const i of [1, 2, 3]) await putInOutbox(`outbox-4-${i}`, {});
      expect(await relayAll(database.db)).toBe(3);
      // Notifications arrive in commit order: once the relay's has come, an
      // empty relay's would have come before it.
      await waitFor(async () => heard.length > 0, 5000);
      expect(heard).toHaveLength(1);
      expect(JSON.parse(heard[0]!)).toMatchObject({ count: 3 });
    } finally {
      await listener.end();
    }
  });

  it('relays soon after a nudge, and stops', async () => {
    const relay = new JobOutboxRelay(database.db, { delayMs: 10, intervalMs: 60_000 }).start();
    try {
      await putInOutbox('outbox-5', { grant_id: 'nudged' });
      relay.nudge();
      await waitFor(async () => (await queued('outbox-5')).length === 1, 5000);
    } finally {
      await relay.stop();
    }
    await putInOutbox('outbox-6', {});
    relay.nudge();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await outboxRows()).toBe(1);
    await relayAll(database.db);
  });

  it('is relayed by the job worker too, for rows a process left behind', async () => {
    await putInOutbox('outbox-7', { grant_id: 'left' });
    const tasks = revocationTasks({
      db: database.db,
      issuers: {} as Issuers,
      retryMaxSeconds: 60,
      overdueAfterSeconds: 60,
      vaultConcurrency: 1,
    });
    await tasks['job-outbox']!({}, {} as never);
    expect(await queued('outbox-7')).toHaveLength(1);
  });
});
