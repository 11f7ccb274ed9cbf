import { randomUUID } from 'node:crypto';
import { chainHash } from '../../src/audit/chain';
import { generateSigner } from '../../src/audit/signing-key';
import { verifyChain, type VerifyOptions } from '../../src/audit/verify';
import { useTestDatabase } from '../support/database';
import { appendEvents, checkpointedChain, tamper } from './audit-fixtures';

const database = useTestDatabase();
const signer = generateSigner();

// Each case gets a tenant of its own: 20 events, a checkpoint (event 21).
const freshChain = () => checkpointedChain(database.db, signer, 20);

async function shiftSeqs(tenant: string, fromSeq: number, by: number) {
  // Two steps, because the primary key is checked row by row.
  await tamper(database.db, async (trx) => {
    await trx.raw('update audit_events set seq = seq + 1000000 where tenant = ? and seq >= ?', [
      tenant,
      fromSeq,
    ]);
    await trx.raw('update audit_events set seq = seq - 1000000 + ? where tenant = ? and seq >= ?', [
      by,
      tenant,
      1000000,
    ]);
  });
}

// Every case both ways: walking the chain in seq order, and checking it in
// parallel seq ranges first (three ranges of seven, so that seq 7 sits on an
// edge), which must find the same faults at the same seqs.
const modes: [string, VerifyOptions][] = [
  ['in seq order', { parallelFrom: Number.MAX_SAFE_INTEGER }],
  ['in parallel ranges', { parallelFrom: 0, segments: 3 }],
];

describe.each(modes)(
  'verifyChain %s against tampering with the triggers bypassed',
  (_, options) => {
    it('passes a clean chain with its checkpoint', async () => {
      const tenant = await freshChain();
      const result = await verifyChain(database.db, signer, tenant, options);
      expect(result).toMatchObject({ ok: true, events: 21, last_seq: 21, checkpoints: 1 });
      expect(result.fault).toBeNull();
    });

    it('finds changed data at its seq', async () => {
      const tenant = await freshChain();
      await tamper(database.db, (trx) =>
        trx('audit_events')
          .where({ tenant, seq: 7 })
          .update({ data: JSON.stringify({ n: 700 }) }),
      );
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'hash_mismatch', seq: 7 });
    });

    it('finds a changed actor at its seq', async () => {
      const tenant = await freshChain();
      await tamper(database.db, (trx) =>
        trx('audit_events').where({ tenant, seq: 12 }).update({ actor_id: 'someone-else' }),
      );
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'hash_mismatch', seq: 12 });
    });

    it('finds a changed hash at its seq', async () => {
      const tenant = await freshChain();
      await tamper(database.db, (trx) =>
        trx('audit_events')
          .where({ tenant, seq: 7 })
          .update({ hash: 'f'.repeat(64) }),
      );
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'hash_mismatch', seq: 7 });
    });

    it('finds a deleted row as a gap at its seq', async () => {
      const tenant = await freshChain();
      await tamper(database.db, (trx) => trx('audit_events').where({ tenant, seq: 7 }).delete());
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'gap', seq: 7 });
    });

    it('finds a deleted row whose followers were renumbered to close the gap', async () => {
      const tenant = await freshChain();
      await tamper(database.db, (trx) => trx('audit_events').where({ tenant, seq: 7 }).delete());
      await shiftSeqs(tenant, 8, -1);
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'deletion', seq: 7 });
    });

    it('finds a forged row inserted with a correct hash, at the inserted seq', async () => {
      const tenant = await freshChain();
      const sixth = await database.db('audit_events').where({ tenant, seq: 6 }).first();
      await shiftSeqs(tenant, 7, 1);
      const forged = {
        ...sixth,
        seq: 7,
        id: randomUUID(),
        action: 'grant.revoked',
        prev_hash: sixth.hash,
      };
      forged.hash = chainHash(sixth.hash, forged);
      await tamper(database.db, (trx) =>
        trx('audit_events').insert({ ...forged, data: JSON.stringify(forged.data) }),
      );
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'insertion', seq: 7 });
    });

    it('finds two swapped rows as a reordering at the first of them', async () => {
      const tenant = await freshChain();
      await tamper(database.db, async (trx) => {
        await trx.raw('update audit_events set seq = 1000 where tenant = ? and seq = 9', [tenant]);
        await trx.raw('update audit_events set seq = 9 where tenant = ? and seq = 10', [tenant]);
        await trx.raw('update audit_events set seq = 10 where tenant = ? and seq = 1000', [tenant]);
      });
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'reordering', seq: 9 });
    });

    it('finds a cut-off tail against the checkpoint, even with the head row rewound', async () => {
      const tenant = await freshChain();
      await tamper(database.db, async (trx) => {
        await trx('audit_events').where({ tenant }).andWhere('seq', '>', 15).delete();
        const last = await trx('audit_events').where({ tenant, seq: 15 }).first('hash');
        await trx('audit_heads').where({ tenant }).update({ seq: 15, hash: last.hash });
      });
      const result = await verifyChain(database.db, signer, tenant, options);
      expect(result.fault).toMatchObject({ kind: 'truncation', seq: 16 });
      expect(result.last_seq).toBe(15);
    });

    it('finds a tail cut past the last checkpoint by the head row, left alone', async () => {
      const tenant = await freshChain();
      await appendEvents(database.db, tenant, 4);
      await tamper(database.db, (trx) =>
        trx('audit_events').where({ tenant }).andWhere('seq', '>', 23).delete(),
      );
      const result = await verifyChain(database.db, signer, tenant, options);
      expect(result.fault).toMatchObject({ kind: 'truncation', seq: 24 });
    });

    it('finds a chain rewritten with new hashes at the checkpoint it contradicts', async () => {
      const tenant = await freshChain();
      const rows = await database.db('audit_events').where({ tenant }).orderBy('seq');
      let prev = rows[4].hash;
      await tamper(database.db, async (trx) => {
        for (const row of rows.slice(5)) {
          const edited = {
            ...row,
            prev_hash: prev,
            subject: row.seq === 6 ? 'rewritten' : row.subject,
          };
          edited.hash = chainHash(prev, edited);
          prev = edited.hash;
          await trx('audit_events')
            .where({ tenant, seq: row.seq })
            .update({ subject: edited.subject, prev_hash: edited.prev_hash, hash: edited.hash });
        }
      });
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'checkpoint_mismatch', seq: 21 });
    });

    it('finds a checkpoint whose signature was altered', async () => {
      const tenant = await freshChain();
      await tamper(database.db, (trx) =>
        trx('audit_checkpoints').where({ tenant }).update({ time: '2020-01-01T00:00:00.000Z' }),
      );
      const { fault } = await verifyChain(database.db, signer, tenant, options);
      expect(fault).toMatchObject({ kind: 'checkpoint_mismatch', seq: 21 });
    });

    it('refuses checkpoints signed by another key', async () => {
      const tenant = await freshChain();
      const { fault } = await verifyChain(database.db, generateSigner(), tenant);
      expect(fault).toMatchObject({ kind: 'checkpoint_mismatch', seq: 21 });
    });
  },
);
