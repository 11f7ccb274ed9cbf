import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../../src/audit/actions';
import {
  appendAudit,
  appendAuditAll,
  appendAuditEvents,
  appendAuditEventsWith,
  type AuditEntry,
} from '../../src/audit/append';
import { generateSigner } from '../../src/audit/signing-key';
import { jobCall } from '../../src/jobs/job-queue';
import { verifyChain } from '../../src/audit/verify';
import { useTestDatabase } from '../support/database';
import { createTenant } from '../support/factories';

const database = useTestDatabase();

function entry(tenant: string, n: number): AuditEntry {
  return {
    tenant,
    actor: SYSTEM,
    action: 'grant.revoke_requested',
    subject: `grant-${n}`,
    data: { n, reason: 'emergency', nested: { é: 'ü', list: [1, 2.5, null] } },
  };
}

describe('appendAuditAll', () => {
  it('chains runs of several tenants after single appends, gapless and verifiable', async () => {
    const { db } = database;
    const a = await createTenant(db);
    const b = await createTenant(db);
    await db.transaction((trx) => appendAudit(trx, entry(a, 0)));

    const entries = [
      ...Array.from({ length: 2500 }, (_, i) => entry(a, i + 1)),
      ...Array.from({ length: 30 }, (_, i) => entry(b, i)),
      entry(a, 9999),
    ];
    const events = await db.transaction((trx) => appendAuditAll(trx, entries));
    await db.transaction((trx) => appendAudit(trx, entry(b, 31)));

    expect(events.filter((e) => e.tenant === a).map((e) => e.seq)).toEqual(
      Array.from({ length: 2501 }, (_, i) => i + 2),
    );
    const signer = generateSigner();
    for (const [tenant, count] of [
      [a, 2502],
      [b, 31],
    ] as const) {
      const result = await verifyChain(db, signer, tenant);
      expect(result).toMatchObject({ ok: true, fault: null, events: count, last_seq: count });
    }
  });

  it('writes nothing when the transaction fails', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    await expect(
      db.transaction(async (trx) => {
        await appendAuditAll(trx, [entry(tenant, 1), entry(tenant, 2)]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db('audit_events').where({ tenant }).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
    const head = await db('audit_heads').where({ tenant }).first();
    expect(head?.seq ?? 0).toBe(0);
  });
});

describe('appendAuditEvents', () => {
  it('appends the events of one tenant in the order given, after single appends', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    await db.transaction((trx) => appendAudit(trx, entry(tenant, 0)));

    const events = await db.transaction((trx) =>
      appendAuditEvents(trx, [entry(tenant, 1), entry(tenant, 2), entry(tenant, 3)]),
    );
    await db.transaction((trx) => appendAudit(trx, entry(tenant, 4)));

    expect(events.map((e) => [e.seq, e.subject])).toEqual([
      [2, 'grant-1'],
      [3, 'grant-2'],
      [4, 'grant-3'],
    ]);
    expect(events[1]!.prev_hash).toBe(events[0]!.hash);
    const stored = await db('audit_events').where({ tenant }).orderBy('seq').select('subject');
    expect(stored.map((row) => row.subject)).toEqual([
      'grant-0',
      'grant-1',
      'grant-2',
      'grant-3',
      'grant-4',
    ]);
    const result = await verifyChain(db, generateSigner(), tenant);
    expect(result).toMatchObject({ ok: true, fault: null, events: 5, last_seq: 5 });
  });

  it('refuses events of two tenants and writes nothing', async () => {
    const { db } = database;
    const a = await createTenant(db);
    const b = await createTenant(db);
    await expect(
      db.transaction((trx) => appendAuditEvents(trx, [entry(a, 1), entry(b, 1)])),
    ).rejects.toThrow('one tenant');
    expect(await db('audit_events').whereIn('tenant', [a, b]).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
  });
});

describe('appendAuditEventsWith', () => {
  it('makes the changes and appends their events in one statement', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    const technician = randomUUID();
    let statements = 0;
    const count = () => (statements += 1);
    db.on('query', count);
    const events = await db
      .transaction((trx) =>
        appendAuditEventsWith(
          trx,
          {
            changes: [
              trx('technicians').insert({
                id: technician,
                email: `${technician}@msp.example`,
                display_name: 'With events',
                role: 'technician',
              }),
              trx('tenants').where({ slug: tenant }).update({ name: 'Renamed' }),
            ],
          },
          [entry(tenant, 1), entry(tenant, 2)],
        ),
      )
      .finally(() => db.off('query', count));

    expect(statements).toBe(3); // BEGIN, the statement, COMMIT
    expect(events?.map((e) => [e.seq, e.subject])).toEqual([
      [1, 'grant-1'],
      [2, 'grant-2'],
    ]);
    expect(await db('technicians').where({ id: technician }).first('display_name')).toEqual({
      display_name: 'With events',
    });
    expect(await db('tenants').where({ slug: tenant }).first('name')).toEqual({ name: 'Renamed' });
    const result = await verifyChain(db, generateSigner(), tenant);
    expect(result).toMatchObject({ ok: true, fault: null, events: 2, last_seq: 2 });
  });

  it('appends nothing when a change touches no row', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    await db.transaction((trx) => appendAudit(trx, entry(tenant, 0)));

    const events = await db.transaction((trx) =>
      appendAuditEventsWith(
        trx,
        {
          changes: [
            trx('tenants').where({ slug: tenant, status: 'churned' }).update({ name: 'Never' }),
          ],
        },
        [entry(tenant, 1)],
      ),
    );

    expect(events).toBeUndefined();
    expect(await db('audit_events').where({ tenant }).pluck('seq')).toEqual([1]);
    expect(await db('audit_heads').where({ tenant }).first('seq')).toEqual({ seq: 1 });
    expect(await db('tenants').where({ slug: tenant }).first('name')).not.toEqual({
      name: 'Never',
    });
  });

  it('appends nothing when a change fails, and keeps none of the changes', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    await expect(
      db.transaction((trx) =>
        appendAuditEventsWith(
          trx,
          {
            changes: [
              trx('tenants').where({ slug: tenant }).update({ name: 'Renamed' }),
              trx('tenants').insert({ slug: tenant, name: 'Duplicate' }),
            ],
          },
          [entry(tenant, 1)],
        ),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await db('audit_events').where({ tenant }).count({ n: '*' }).first()).toEqual({ n: 0 });
    expect(await db('tenants').where({ slug: tenant }).first('name')).not.toEqual({
      name: 'Renamed',
    });
  });
});

describe('appendAuditEventsWith gated inserts', () => {
  const technicianInsert = (id: string) => (where: string) =>
    database.db.raw(
      `insert into technicians (id, email, display_name, role)
       select ?, ?, 'Gated', 'technician' ${where}`,
      [id, `${id}@msp.example`],
    );

  it('inserts when every change touched a row, in the one statement', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    const technician = randomUUID();
    const events = await appendAuditEventsWith(
      db,
      {
        changes: [db('tenants').where({ slug: tenant }).update({ name: 'Renamed' })],
        gated: [technicianInsert(technician)],
      },
      [entry(tenant, 1)],
    );
    expect(events?.map((e) => e.seq)).toEqual([1]);
    expect(await db('technicians').where({ id: technician }).first('display_name')).toEqual({
      display_name: 'Gated',
    });
  });

  it('neither inserts nor appends when a change touches no row', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    const technician = randomUUID();
    const events = await appendAuditEventsWith(
      db,
      {
        changes: [db('tenants').where({ slug: tenant, status: 'churned' }).update({ name: 'No' })],
        gated: [technicianInsert(technician)],
      },
      [entry(tenant, 1)],
    );
    expect(events).toBeUndefined();
    expect(await db('technicians').where({ id: technician })).toEqual([]);
    expect(await db('audit_events').where({ tenant }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});

describe('appendAuditEventsWith calls', () => {
  const jobsKeyed = (key: string) =>
    database.db('graphile_worker._private_jobs').where({ key }).select('revision');

  it('makes each call once when the change is made, in one statement, no transaction', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    const key = `test:${randomUUID()}`;
    let statements = 0;
    const count = () => (statements += 1);
    db.on('query', count);
    const events = await appendAuditEventsWith(
      db,
      {
        changes: [db('tenants').where({ slug: tenant }).update({ name: 'Renamed' })],
        calls: [jobCall(db, 'requests-expire', {}, { jobKey: key })],
      },
      [entry(tenant, 1), entry(tenant, 2), entry(tenant, 3)],
    ).finally(() => db.off('query', count));

    expect(statements).toBe(1);
    expect(events?.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await jobsKeyed(key)).toEqual([{ revision: 0 }]);
  });

  it('makes no call when the change touches no row', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    const key = `test:${randomUUID()}`;
    const events = await appendAuditEventsWith(
      db,
      {
        changes: [db('tenants').where({ slug: tenant, status: 'churned' }).update({ name: 'No' })],
        calls: [jobCall(db, 'requests-expire', {}, { jobKey: key })],
      },
      [entry(tenant, 1)],
    );

    expect(events).toBeUndefined();
    expect(await jobsKeyed(key)).toEqual([]);
    expect(await db('audit_events').where({ tenant }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('refuses events without a change outside a transaction', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    await expect(appendAuditEventsWith(db, { changes: [] }, [entry(tenant, 1)])).rejects.toThrow(
      'needs a transaction',
    );
  });
});
