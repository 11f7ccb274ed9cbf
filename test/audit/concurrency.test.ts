import { SYSTEM } from '../../src/audit/actions';
import { appendAudit } from '../../src/audit/append';
import { generateSigner } from '../../src/audit/signing-key';
import { verifyChain } from '../../src/audit/verify';
import { connectDatabase } from '../../src/platform/database';
import { useTestDatabase } from '../support/database';
import { createTenant } from '../support/factories';

const database = useTestDatabase();
const CONNECTIONS = 50;
const TENANTS = 20;
const EVENTS = 10_000;

describe('concurrent appends', () => {
  it('10,000 events from 50 connections across 20 tenants leave every chain gapless and valid', async () => {
    const tenants: string[] = [];
    for (let i = 0; i < TENANTS; i += 1) tenants.push(await createTenant(database.db));
    const db = connectDatabase(database.url, { poolMax: CONNECTIONS });
    let next = 0;
    const worker = async () => {
      while (next < EVENTS) {
        const n = next++;
        await db.transaction((trx) =>
          appendAudit(trx, {
            tenant: tenants[n % TENANTS]!,
            actor: SYSTEM,
            action: 'session.heartbeat',
            data: { n },
          }),
        );
      }
    };
    try {
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    } finally {
      await db.destroy();
    }

    const signer = generateSigner();
    for (const tenant of tenants) {
      const result = await verifyChain(database.db, signer, tenant);
      expect(result).toMatchObject({
        ok: true,
        events: EVENTS / TENANTS,
        last_seq: EVENTS / TENANTS,
      });
    }
    const rows = await database.db('audit_events').whereIn('tenant', tenants).count({ n: '*' });
    expect(rows).toEqual([{ n: EVENTS }]);
  }, 300_000);
});
