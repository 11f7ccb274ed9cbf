/**
 * Starts one real PostgreSQL server for the whole test run, unless
 * DATABASE_URL points at one, and prepares a template database with every
 * migration applied. Each test file then clones the template (fast) into a
 * database of its own, so files never see each other's rows.
 */
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, migrateToLatest } from '../../src/platform/database';
import { startEmbeddedPostgres } from '../../src/platform/embedded-postgres';
import { TEMPLATE_DATABASE, databaseUrl } from './database-names';

declare global {
  var __EMBEDDED_POSTGRES_STOP__: (() => Promise<void>) | undefined;
}

export default async function globalSetup() {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const folder = mkdtempSync(join(tmpdir(), 'jit-test-'));
    chmodSync(folder, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: join(folder, 'pg'), persistent: false });
    globalThis.__EMBEDDED_POSTGRES_STOP__ = server.stop;
    adminUrl = server.url;
  }
  // Test files read these to make their own databases.
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;

  const admin = connectDatabase(adminUrl, { poolMax: 1 });
  await admin.raw(`drop database if exists ${TEMPLATE_DATABASE}`);
  await admin.raw(`create database ${TEMPLATE_DATABASE}`);
  await admin.destroy();

  const template = connectDatabase(databaseUrl(adminUrl, TEMPLATE_DATABASE), { poolMax: 1 });
  await migrateToLatest(template);
  await template.destroy();
}
