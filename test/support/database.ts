/**
 * A fresh, migrated PostgreSQL database for one test file, cloned from the
 * template that global-setup prepared. Real PostgreSQL, never an imitation.
 */
import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/platform/database';
import { TEMPLATE_DATABASE, databaseUrl } from './database-names';

/** A database of the test's own, with its URL and a way to drop it. */
export interface TestDatabase {
  db: Database;
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('TEST_ADMIN_DATABASE_URL is unset: run tests through jest');
  return url;
}

/** Creates a new database from the migrated template. */
export async function createTestDatabase(options: { migrated?: boolean } = {}) {
  const name = `jit_test_${randomBytes(6).toString('hex')}`;
  const admin = connectDatabase(adminUrl(), { poolMax: 1 });
  try {
    const template = options.migrated === false ? 'template0' : TEMPLATE_DATABASE;
    await admin.raw(`create database ${name} template ${template}`);
  } finally {
    await admin.destroy();
  }
  const url = databaseUrl(adminUrl(), name);
  const db = connectDatabase(url);
  const drop = async () => {
    await db.destroy();
    const cleanup = connectDatabase(adminUrl(), { poolMax: 1 });
    try {
      await cleanup.raw(`drop database if exists ${name} with (force)`);
    } finally {
      await cleanup.destroy();
    }
  };
  return { db, url, name, drop } satisfies TestDatabase;
}

/**
 * Registers beforeAll/afterAll hooks giving the test file its own database.
 * Read `.db` inside tests, not at module load.
 */
export function useTestDatabase(options: { migrated?: boolean } = {}) {
  const holder = {} as TestDatabase;
  beforeAll(async () => {
    Object.assign(holder, await createTestDatabase(options));
  });
  afterAll(async () => {
    await holder.drop?.();
  });
  return holder;
}
