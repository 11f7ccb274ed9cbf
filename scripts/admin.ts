/**
 * `npm run admin -- <command>`: server-side administration, run where the
 * broker's configuration is (same environment variables).
 *
 *   bootstrap --email <address> [--name <display name>] [--json] [--force]
 *     creates an admin and prints their one-time enrollment token.
 *
 * The database is DATABASE_URL when set. Otherwise (development) it is the
 * embedded PostgreSQL in <DATA_DIR>/postgres: the one a running development
 * broker holds, found through <DATA_DIR>/postgres-url, or, with no broker
 * running, a server this command starts and stops itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { bootstrapAdmin } from '../src/identity/bootstrap-admin';
import { ConfigError, loadConfig, type Config } from '../src/platform/config';
import {
  connectDatabase,
  databaseReachable,
  migrateToLatest,
  type Database,
} from '../src/platform/database';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres';
import { AppError } from '../src/platform/errors';
import { configureLogger } from '../src/platform/logger';

interface OpenDatabase {
  db: Database;
  close(): Promise<void>;
}

async function openDatabase(config: Config): Promise<OpenDatabase> {
  if (config.databaseUrl) {
    const db = connectDatabase(config.databaseUrl, { poolMax: 2 });
    return { db, close: () => db.destroy() };
  }
  const urlFile = join(config.dataDir, 'postgres-url');
  if (existsSync(urlFile)) {
    const db = connectDatabase(readFileSync(urlFile, 'utf8').trim(), { poolMax: 2 });
    if (await databaseReachable(db)) return { db, close: () => db.destroy() };
    // A broker that died without cleaning up left the file behind.
    await db.destroy();
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: join(config.dataDir, 'postgres'),
    persistent: config.env === 'development',
  });
  const db = connectDatabase(embedded.url, { poolMax: 2 });
  return {
    db,
    close: async () => {
      await db.destroy();
      await embedded.stop();
    },
  };
}

async function bootstrap(options: {
  email: string;
  name?: string;
  json?: boolean;
  force?: boolean;
}) {
  const email = z.email().safeParse(options.email);
  if (!email.success) throw new AppError('technician.invalid', 400, 'email: not an email address');
  const config = loadConfig();
  const { db, close } = await openDatabase(config);
  try {
    // Production migrates by `npm run migrate`; development keeps itself current.
    if (config.env !== 'production') await migrateToLatest(db);
    const admin = await bootstrapAdmin(
      { db, config },
      { email: email.data, displayName: options.name, force: options.force },
    );
    if (options.json) {
      const { id, enrollment_token, expires_at } = admin;
      console.log(
        JSON.stringify({ technician_id: id, email: admin.email, enrollment_token, expires_at }),
      );
      return;
    }
    console.log(`Admin ${admin.email} created (id ${admin.id}).`);
    console.log(`One-time enrollment token, valid until ${admin.expires_at}:`);
    console.log(`  ${admin.enrollment_token}`);
    console.log(`Enroll with POST ${config.publicUrl}/api/v1/auth/enroll or the web form.`);
  } finally {
    await close();
  }
}

async function main(argv: string[]) {
  configureLogger({ level: 'error', json: false });
  const program = new Command('admin').description('Server-side administration of the broker');
  program
    .command('bootstrap')
    .description('create an admin and print their one-time enrollment token')
    .requiredOption('--email <address>', "the new admin's email address")
    .option('--name <display name>', 'display name (default: the part before @)')
    .option('--json', 'print the result as one JSON object')
    .option('--force', 'create an admin even when one exists (recovery)')
    .action(bootstrap);
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AppError) {
    console.error(`admin: ${error.message}`);
  } else {
    console.error(`admin failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
