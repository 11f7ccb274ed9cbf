import { checkpointStatement, writeDueCheckpoints } from '../../src/audit/checkpoints';
import { generateSigner } from '../../src/audit/signing-key';
import { useTestDatabase } from '../support/database';
import { createTenant } from '../support/factories';
import { appendEvents } from './audit-fixtures';

const database = useTestDatabase();
const signer = generateSigner();
const HOUR = 3600 * 1000;

describe('writeDueCheckpoints', () => {
  it('checkpoints tenants with enough new events, or quiet for long enough, and no others', async () => {
    const { db } = database;
    const busy = await createTenant(db);
    const quiet = await createTenant(db);
    await appendEvents(db, busy, 5);
    await appendEvents(db, quiet, 2);
    const schedule = { everyEvents: 5, olderThanSeconds: 3600 };

    const now = await writeDueCheckpoints(db, signer, schedule);
    expect(now.map((c) => c.tenant)).toContain(busy);
    expect(now.map((c) => c.tenant)).not.toContain(quiet);

    // Nothing new since: not due again, whatever the time.
    const later = new Date(Date.now() + 2 * HOUR);
    const second = await writeDueCheckpoints(db, signer, schedule, later);
    expect(second.map((c) => c.tenant)).toContain(quiet);
    expect(second.map((c) => c.tenant)).not.toContain(busy);
    const third = await writeDueCheckpoints(db, signer, schedule, new Date(Date.now() + 4 * HOUR));
    expect(third.map((c) => c.tenant)).not.toContain(quiet);
  });

  it('signs the head that includes its own audit.checkpoint event', async () => {
    const { db } = database;
    const tenant = await createTenant(db);
    await appendEvents(db, tenant, 3);
    const [checkpoint] = await writeDueCheckpoints(db, signer, {
      everyEvents: 3,
      olderThanSeconds: 3600,
    }).then((all) => all.filter((c) => c.tenant === tenant));
    const head = await db('audit_heads').where({ tenant }).first('seq', 'hash');
    expect(checkpoint).toMatchObject({ seq: 4, hash: head.hash, key_id: signer.keyId });
    expect(signer.verify(checkpointStatement(checkpoint!), checkpoint!.signature)).toBe(true);
    const event = await db('audit_events').where({ tenant, seq: 4 }).first('action');
    expect(event.action).toBe('audit.checkpoint');
  });
});
