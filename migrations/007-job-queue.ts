/**
 * The job queue's own schema (graphile-worker's `graphile_worker`), installed
 * with the broker's schema so that code queueing a job inside a transaction
 * (`select graphile_worker.add_job(...)`) works before any worker has started,
 * and so that `npm run migrate` prepares everything production needs.
 *
 * graphile-worker owns and versions that schema itself: this migration only
 * asks it to bring the schema up to date, over a connection of its own.
 */
import { Logger, runMigrations } from 'graphile-worker';
import type { Knex } from 'knex';
import pg from 'pg';

// graphile-worker logs to the console by default; its migration chatter is
// not worth an operational log line.
const silentLogger = new Logger(() => () => undefined);

function connectionOf(knex: Knex): pg.PoolConfig {
  const connection: unknown = knex.client.config.connection;
  if (typeof connection === 'string') return { connectionString: connection };
  return { ...(connection as pg.PoolConfig) };
}

export async function up(knex: Knex): Promise<void> {
  const pool = new pg.Pool({ ...connectionOf(knex), max: 1 });
  // An idle connection's error would otherwise crash the process; the
  // migration's own queries still fail loudly.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await runMigrations({ pgPool: pool, logger: silentLogger });
  } finally {
    await pool.end();
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists graphile_worker cascade');
}
