/**
 * The PostgreSQL connection (knex over pg) and the migrations that shape it.
 * Every query goes through the Knex instance made here.
 */
import knex, { type Knex } from 'knex';
import { migrationSource } from '../../migrations';
import { logger } from './logger';
import './pg-types';

/** The broker's database handle. */
export type Database = Knex;

/** Opens a connection pool. Nothing is queried until first use. */
export function connectDatabase(url: string, options: { poolMax?: number } = {}): Database {
  return knex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'jit-broker' },
    pool: { min: 0, max: options.poolMax ?? 10 },
    migrations: { migrationSource, tableName: 'knex_migrations' },
    acquireConnectionTimeout: 10_000,
    // knex prints to the console by default; send its messages to the logger.
    log: {
      warn: (message: unknown) => logger.warn('knex warning', { detail: String(message) }),
      error: (message: unknown) => logger.error('knex error', { detail: String(message) }),
      deprecate: (message: unknown) =>
        logger.debug('knex deprecation', { detail: String(message) }),
      debug: (message: unknown) => logger.debug('knex debug', { detail: String(message) }),
    },
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

/** Whether the database answers a trivial query within `timeoutMs`. */
export async function databaseReachable(db: Database, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = db
    .raw('select 1')
    .then(() => true)
    .catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
