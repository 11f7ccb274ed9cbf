import { makeWorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { addJob, addJobs } from '../../src/jobs/job-queue';
import { releaseStaleLocks, workerLogger } from '../../src/jobs/job-worker';
import { retryDelaySeconds } from '../../src/revocation/revocation-tasks';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

// The public `jobs` view leaves the payload out; the table holds it.
const jobs = (key: string) =>
  database.db('graphile_worker._private_jobs').where({ key }).select('payload', 'run_at');

describe('the job queue', () => {
  it('collapses jobs with the same key into one, keeping the latest', async () => {
    const runAt = new Date(Date.now() + 3600 * 1000);
    await addJob(database.db, 'grant-expire', { grant_id: 'a' }, { jobKey: 'k-1', runAt });
    await addJob(database.db, 'grant-expire', { grant_id: 'b' }, { jobKey: 'k-1', runAt });
    const rows = await jobs('k-1');
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toEqual({ grant_id: 'b' });
  });

  it('queues a job with its transaction, and forgets it when the transaction rolls back', async () => {
    await expect(
      database.db.transaction(async (trx) => {
        await addJob(trx, 'grant-revoke', { grant_id: 'c' }, { jobKey: 'k-2' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await jobs('k-2')).toHaveLength(0);
  });

  it('queues many jobs in one statement', async () => {
    await database.db.transaction((trx) =>
      addJobs(
        trx,
        ['d', 'e', 'f'].map((id) => ({
          name: 'grant-revoke' as const,
          payload: { grant_id: id },
          jobKey: `k-3-${id}`,
        })),
      ),
    );
    const rows = await database.db('graphile_worker._private_jobs').where('key', 'like', 'k-3-%');
    expect(rows.map((r) => r.payload.grant_id).sort()).toEqual(['d', 'e', 'f']);
    expect(rows.every((r) => r.max_attempts === 32767)).toBe(true);
  });

  it('releases jobs held past the lock timeout by a worker that is gone', async () => {
    await addJob(database.db, 'grant-revoke', { grant_id: 'g' }, { jobKey: 'k-4' });
    await addJob(database.db, 'grant-revoke', { grant_id: 'h' }, { jobKey: 'k-5' });
    // As a killed process leaves them: one locked long ago, one just now.
    await database.db.raw(
      `update graphile_worker._private_jobs set locked_by = 'dead-worker',
         locked_at = now() - interval '10 minutes' where key = 'k-4'`,
    );
    await database.db.raw(
      `update graphile_worker._private_jobs set locked_by = 'live-worker', locked_at = now()
        where key = 'k-5'`,
    );
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const utils = await makeWorkerUtils({ pgPool: pool, logger: workerLogger });
    try {
      expect(await releaseStaleLocks(pool, utils, 60)).toBe(1);
    } finally {
      await utils.release();
      await pool.end();
    }
    const rows = await database
      .db('graphile_worker.jobs')
      .whereIn('key', ['k-4', 'k-5'])
      .orderBy('key')
      .select('locked_by');
    expect(rows.map((r) => r.locked_by)).toEqual([null, 'live-worker']);
  });
});

describe('revocation retry back-off', () => {
  it.each([
    [0, 1],
    [1, 2],
    [4, 16],
    [8, 256],
    [9, 300],
    [50, 300],
  ])('waits 2^%i seconds, capped: %i s', (attempt, seconds) => {
    expect(retryDelaySeconds(attempt, 300)).toBe(seconds);
  });
});
