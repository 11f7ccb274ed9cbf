import { migrationNames } from '../../migrations';
import { migrateToLatest } from '../../src/platform/database';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase({ migrated: false });

async function tables(): Promise<string[]> {
  const rows = await database
    .db('pg_tables')
    .where({ schemaname: 'public' })
    .whereNot('tablename', 'like', 'knex_%')
    .pluck('tablename');
  return rows.sort();
}

describe('migrations', () => {
  it('go up, all the way down, and up again', async () => {
    const { db } = database;
    expect(await migrateToLatest(db)).toEqual(migrationNames);
    const all = await tables();
    expect(all).toEqual(
      expect.arrayContaining([
        'tenants',
        'technicians',
        'assignments',
        'access_requests',
        'approvals',
        'grants',
        'access_sessions',
        'login_sessions',
        'audit_events',
        'audit_heads',
        'audit_checkpoints',
        'hook_events',
      ]),
    );

    // One step at a time, so that each migration's down is exercised alone.
    for (let i = migrationNames.length; i > 0; i -= 1) {
      await db.migrate.down();
    }
    expect(await tables()).toEqual([]);

    expect(await migrateToLatest(db)).toEqual(migrationNames);
    expect(await tables()).toEqual(all);
  });
});
