import { SYSTEM } from '../../src/audit/actions';
import {
  appendAudit,
  appendAuditAll,
  appendAuditEvents,
  type AuditEntry,
} from '../../src/audit/append';
import { generateSigner } from '../../src/audit/signing-key';
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
