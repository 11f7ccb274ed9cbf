import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GENESIS_HASH } from '../../src/audit/chain';
import { listCheckpoints } from '../../src/audit/checkpoints';
import { scanInSegments, type SegmentScan } from '../../src/audit/segment-scan';
import { generateSigner } from '../../src/audit/signing-key';
import { verifyChain } from '../../src/audit/verify';
import { useTestDatabase } from '../support/database';
import { checkpointedChain, tamper } from './audit-fixtures';

const database = useTestDatabase();
const signer = generateSigner();

// 30 events and a checkpoint (event 31): three ranges of 11, 11 and 9.
async function chain() {
  const tenant = await checkpointedChain(database.db, signer, 30);
  const head = await database.db('audit_heads').where({ tenant }).first('seq', 'hash');
  return { tenant, head: head as { seq: number; hash: string } };
}

async function scan(tenant: string, upTo: number) {
  return scanInSegments(database.db, tenant, upTo, 3, await listCheckpoints(database.db, tenant));
}

describe('checking a chain in parallel seq ranges', () => {
  it('joins the ranges of a clean chain into its head hash, as walking in order does', async () => {
    const { tenant, head } = await chain();
    expect(await scan(tenant, head.seq)).toBe(head.hash);

    const parallel = await verifyChain(database.db, signer, tenant, { parallelFrom: 0 });
    const inOrder = await verifyChain(database.db, signer, tenant, {
      parallelFrom: Number.MAX_SAFE_INTEGER,
    });
    expect(parallel).toEqual(inOrder);
    expect(parallel).toMatchObject({ ok: true, events: 31, head_hash: head.hash });
  });

  it.each([
    ['changed data at the last seq of a range', 11],
    ['changed data at the first seq of a range', 12],
    ['changed data inside a range', 25],
  ])('finds %s unclean', async (_, seq) => {
    const { tenant, head } = await chain();
    await tamper(database.db, (trx) =>
      trx('audit_events')
        .where({ tenant, seq })
        .update({ data: JSON.stringify({ n: -1 }) }),
    );
    expect(await scan(tenant, head.seq)).toBeNull();
  });

  it('finds a deleted row, a broken link between ranges and a short tail unclean', async () => {
    const deleted = await chain();
    await tamper(database.db, (trx) =>
      trx('audit_events').where({ tenant: deleted.tenant, seq: 12 }).delete(),
    );
    expect(await scan(deleted.tenant, deleted.head.seq)).toBeNull();

    // Seq 12 links to something other than seq 11, with its own hash made to
    // fit: each range is clean on its own, the join between them is not.
    const relinked = await chain();
    await tamper(database.db, (trx) =>
      trx.raw(`update audit_events set prev_hash = ? where tenant = ? and seq = 12`, [
        GENESIS_HASH,
        relinked.tenant,
      ]),
    );
    expect(await scan(relinked.tenant, relinked.head.seq)).toBeNull();

    const short = await chain();
    expect(await scan(short.tenant, short.head.seq + 1)).toBeNull();
  });

  it('finds an event that contradicts a checkpoint inside a range unclean', async () => {
    const { tenant, head } = await chain();
    await tamper(database.db, (trx) =>
      trx('audit_checkpoints')
        .where({ tenant })
        .update({ hash: 'a'.repeat(64) }),
    );
    expect(await scan(tenant, head.seq)).toBeNull();
  });

  // The compiled worker thread that the broker runs (npm test builds first).
  it('checks a range in the compiled worker thread', async () => {
    const { tenant, head } = await chain();
    const script = join(__dirname, '../../dist/src/audit/verify-worker.js');
    const connection = database.db.client.config.connection as unknown;
    const run = (from: number, to: number) =>
      new Promise<SegmentScan>((resolve, reject) => {
        const task = { tenant, from, to, checkpoints: [[head.seq, head.hash]] };
        const worker = new Worker(script, { workerData: { connection, task } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const first = await run(1, 10);
    const rest = await run(11, head.seq);
    expect(first).toMatchObject({ clean: true, firstPrevHash: GENESIS_HASH });
    expect(rest).toMatchObject({ clean: true, lastHash: head.hash });
    if (!first.clean || !rest.clean) throw new Error('unreachable');
    const event10 = await database.db('audit_events').where({ tenant, seq: 10 }).first('hash');
    expect(first.lastHash).toBe(event10.hash);
    expect(rest.firstPrevHash).toBe(event10.hash);

    await tamper(database.db, (trx) =>
      trx('audit_events').where({ tenant, seq: 5 }).update({ subject: 'edited' }),
    );
    expect(await run(1, 10)).toEqual({ clean: false });
  });
});
