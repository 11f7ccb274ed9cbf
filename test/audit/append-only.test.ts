import { randomBytes } from 'node:crypto';
import { SYSTEM } from '../../src/audit/actions';
import { appendAudit } from '../../src/audit/append';
import { writeCheckpoint } from '../../src/audit/checkpoints';
import { generateSigner } from '../../src/audit/signing-key';
import { connectDatabase, type Database } from '../../src/platform/database';
import { useTestDatabase } from '../support/database';
import { createTenant } from '../support/factories';
import { appendEvents } from './audit-fixtures';

const database = useTestDatabase();

// A login role for one test; roles are cluster-wide, so the name is random and
// the role is dropped afterwards.
async function withRole(grants: string[], use: (db: Database) => Promise<void>): Promise<void> {
  const role = `audit_role_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const admin = database.db;
  await admin.raw(`create role ${role} login password '${password}'`);
  for (const grant of grants) await admin.raw(grant.replaceAll('ROLE', role));
  const url = new URL(database.url);
  url.username = role;
  url.password = password;
  const db = connectDatabase(url.toString(), { poolMax: 1 });
  try {
    await use(db);
  } finally {
    await db.destroy();
    await admin.raw(`drop owned by ${role}`);
    await admin.raw(`drop role ${role}`);
  }
}

const CHANGES = [
  [
    'UPDATE',
    (db: Database, tenant: string) => db('audit_events').where({ tenant }).update({ subject: 'x' }),
  ],
  ['DELETE', (db: Database, tenant: string) => db('audit_events').where({ tenant }).delete()],
  ['TRUNCATE', (db: Database) => db.raw('truncate audit_events cascade')],
  ['UPDATE checkpoints', (db: Database) => db('audit_checkpoints').update({ hash: 'x' })],
  ['DELETE checkpoints', (db: Database) => db('audit_checkpoints').delete()],
  ['TRUNCATE checkpoints', (db: Database) => db.raw('truncate audit_checkpoints')],
] as const;

describe('the audit tables are append-only', () => {
  it.each(CHANGES)(
    '%s is refused by the trigger even for a role granted every privilege',
    async (_name, change) => {
      const tenant = await createTenant(database.db);
      await appendEvents(database.db, tenant, 2);
      await writeCheckpoint(database.db, generateSigner(), tenant);
      await withRole(
        ['grant all on audit_events, audit_checkpoints, audit_heads, tenants to ROLE'],
        async (db) => {
          const error = await change(db, tenant).then(
            () => undefined,
            (e: { code?: string; where?: string }) => e,
          );
          expect(error?.code).toBe('42501');
          expect(error?.where).toContain('audit_refuse_change');
        },
      );
      expect(await database.db('audit_events').where({ tenant }).count({ n: '*' })).toEqual([
        { n: 3 },
      ]);
    },
  );

  it('a broker role with INSERT and SELECT only can append but not change events', async () => {
    const tenant = await createTenant(database.db);
    await withRole(
      [
        'grant select, insert on audit_events, audit_checkpoints to ROLE',
        'grant select, insert, update on audit_heads to ROLE',
        'grant select on tenants to ROLE',
      ],
      async (db) => {
        await db.transaction((trx) =>
          appendAudit(trx, { tenant, actor: SYSTEM, action: 'tenant.created' }),
        );
        const error = await db('audit_events')
          .where({ tenant })
          .update({ subject: 'x' })
          .then(
            () => undefined,
            (e: { code?: string }) => e,
          );
        expect(error?.code).toBe('42501');
      },
    );
    expect(await database.db('audit_events').where({ tenant }).pluck('subject')).toEqual([null]);
  });
});

describe('appendAudit', () => {
  it('refuses to run outside a transaction', async () => {
    const tenant = await createTenant(database.db);
    await expect(
      appendAudit(database.db as never, { tenant, actor: SYSTEM, action: 'tenant.created' }),
    ).rejects.toThrow();
    expect(await database.db('audit_events').where({ tenant }).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  it('shares the fate of the caller transaction: a rollback leaves no event and no gap', async () => {
    const tenant = await createTenant(database.db);
    await appendEvents(database.db, tenant, 2);
    await expect(
      database.db.transaction(async (trx) => {
        await appendAudit(trx, { tenant, actor: SYSTEM, action: 'grant.issued' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow();
    const [third] = await appendEvents(database.db, tenant, 1);
    expect(third!.seq).toBe(3);
    expect(await database.db('audit_events').where({ tenant }).orderBy('seq').pluck('seq')).toEqual(
      [1, 2, 3],
    );
  });

  it('links the first event of a tenant to 64 zeros and each next one to its predecessor', async () => {
    const tenant = await createTenant(database.db);
    const [first, second] = await appendEvents(database.db, tenant, 2);
    expect(first!.prev_hash).toBe('0'.repeat(64));
    expect(second!.prev_hash).toBe(first!.hash);
    expect(await database.db('audit_heads').where({ tenant }).first('seq', 'hash')).toEqual({
      seq: 2,
      hash: second!.hash,
    });
  });
});
