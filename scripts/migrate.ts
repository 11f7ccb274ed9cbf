/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL. Production
 * runs this as a deliberate deployment step; development migrates at start.
 * `npm run migrate -- --down` rolls back the last migration.
 */
import { loadConfig } from '../src/platform/config';
import { connectDatabase, migrateToLatest } from '../src/platform/database';

async function main() {
  const config = loadConfig();
  if (!config.databaseUrl) {
    console.error('migrate: set DATABASE_URL (development migrates by itself at npm start)');
    process.exit(1);
  }
  const db = connectDatabase(config.databaseUrl, { poolMax: 1 });
  try {
    if (process.argv.includes('--down')) {
      const [, undone] = (await db.migrate.down()) as [number, string[]];
      console.log(undone.length ? `rolled back: ${undone.join(', ')}` : 'nothing to roll back');
    } else {
      const applied = await migrateToLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`migrate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
