/**
 * Audit log benchmark (not a test): `npm run bench:audit`.
 *
 * Prints, in one run:
 * 1. append throughput of appendAudit against a plain INSERT of the same rows
 *    without chaining, one transaction per event, across 500 tenants (three
 *    alternating rounds of each);
 * 2. the same for one hot tenant, whose appends the head lock serialises (the
 *    ceiling: its rate with one connection and with many);
 * 3. builds a log of 1,000,000 events (chain computed here, inserted in large
 *    batches, signed checkpoints every 100,000), verifies it with verifyChain
 *    and compares the time with a plain keyset read of the same rows.
 *
 * Uses DATABASE_URL when set (a scratch database is created on that server and
 * dropped afterwards), else an embedded PostgreSQL in a temporary folder.
 * Sizes: BENCH_EVENTS (per throughput run, default 10000), BENCH_CONNECTIONS
 * (default 16), BENCH_LOG_EVENTS (default 1000000).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SYSTEM } from '../src/audit/actions';
import { appendAudit } from '../src/audit/append';
import { GENESIS_HASH, chainHash, type ChainedEvent } from '../src/audit/chain';
import { checkpointStatement } from '../src/audit/checkpoints';
import { eventBatches } from '../src/audit/event-batches';
import { generateSigner, type AuditSigner } from '../src/audit/signing-key';
import { verifyChain } from '../src/audit/verify';
import { connectDatabase, migrateToLatest, type Database } from '../src/platform/database';
import { benchServer } from './bench-support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LOG_EVENTS = Number(process.env.BENCH_LOG_EVENTS ?? 1_000_000);
const TENANTS = 500;
const ROUNDS = 3;
const BUILD_BATCH = 5000;

async function main() {
  const server = await benchServer();
  const name = `jit_audit_bench_${randomBytes(4).toString('hex')}`;
  const admin = connectDatabase(server.url, { poolMax: 1 });
  await admin.raw(`create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const db = connectDatabase(url.toString(), { poolMax: CONNECTIONS });
  try {
    await migrateToLatest(db);
    console.log(`audit benchmark: ${CONNECTIONS} connections, ${EVENTS} events per run`);
    await appendThroughput(db);
    await verifySpeed(db, url.toString());
  } finally {
    await db.destroy();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
    await server.stop();
  }
}

// ---- 1 and 2: append throughput -------------------------------------------------

async function appendThroughput(db: Database) {
  const tenants = Array.from({ length: TENANTS }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  await db('tenants').insert(tenants.map((slug) => ({ slug, name: slug })));
  // Same columns, indexes and tenant foreign key as audit_events: what differs
  // is only the chaining (head lock, seq, hash, head update).
  await db.raw('create table bench_plain (like audit_events including all)');
  await db.raw('alter table bench_plain add foreign key (tenant) references tenants (slug)');

  const many = (n: number) => tenants[n % TENANTS]!;
  const hot = () => tenants[0]!;
  // Alternate the two kinds, three rounds each, so that drift on a shared
  // machine hits both; each side's rate is its events over its total time.
  let plainSeconds = 0;
  let chainedSeconds = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    plainSeconds += EVENTS / (await run(db, CONNECTIONS, plainInsert(many)));
    chainedSeconds += EVENTS / (await run(db, CONNECTIONS, chainedAppend(many)));
  }
  const plain = (ROUNDS * EVENTS) / plainSeconds;
  const chained = (ROUNDS * EVENTS) / chainedSeconds;
  console.log(`\n[1] ${TENANTS} tenants, one transaction per event`);
  console.log(`  plain INSERT      ${fmt(plain)} events/s`);
  console.log(`  appendAudit       ${fmt(chained)} events/s`);
  console.log(`  ratio             ${(chained / plain).toFixed(2)}  (target >= 0.80)`);

  const hotPlain = await run(db, CONNECTIONS, plainInsert(hot));
  const hotChained = await run(db, CONNECTIONS, chainedAppend(hot));
  const hotSingle = await run(db, 1, chainedAppend(hot), Math.min(EVENTS, 3000));
  console.log(`\n[2] one hot tenant`);
  console.log(`  plain INSERT      ${fmt(hotPlain)} events/s (${CONNECTIONS} connections)`);
  console.log(`  appendAudit       ${fmt(hotChained)} events/s (${CONNECTIONS} connections)`);
  console.log(`  appendAudit       ${fmt(hotSingle)} events/s (1 connection)`);
  console.log(`  ratio             ${(hotChained / hotPlain).toFixed(2)}`);
  console.log(
    `  ceiling           ~${fmt(Math.max(hotChained, hotSingle))} events/s: appends to one` +
      ' tenant are serialised by its head lock, so more connections do not raise it',
  );
}

type Op = (db: Database, n: number) => Promise<unknown>;

function chainedAppend(tenantOf: (n: number) => string): Op {
  return (db, n) =>
    db.transaction((trx) =>
      appendAudit(trx, {
        tenant: tenantOf(n),
        actor: SYSTEM,
        action: 'session.heartbeat',
        subject: `session-${n}`,
        data: { n, bench: true },
      }),
    );
}

// The same row, with seq from a local counter and no lock or hash: what a
// log without chaining would cost.
const plainSeqs = new Map<string, number>();
function plainInsert(tenantOf: (n: number) => string): Op {
  const seqs = plainSeqs;
  return (db, n) => {
    const tenant = tenantOf(n);
    const seq = (seqs.get(tenant) ?? 1_000_000_000) + 1;
    seqs.set(tenant, seq);
    return db.transaction((trx) =>
      trx('bench_plain').insert({
        tenant,
        seq,
        id: randomUUID(),
        time: new Date().toISOString(),
        actor_kind: SYSTEM.kind,
        actor_id: SYSTEM.id,
        action: 'session.heartbeat',
        subject: `session-${n}`,
        data: JSON.stringify({ n, bench: true }),
        prev_hash: GENESIS_HASH,
        hash: GENESIS_HASH,
      }),
    );
  };
}

let runs = 0;
async function run(db: Database, connections: number, op: Op, count = EVENTS): Promise<number> {
  const offset = (runs += 1) * 10_000_000;
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) {
      const n = next++;
      await op(db, offset + n);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

// ---- 3: verifying a large log ---------------------------------------------------

async function verifySpeed(db: Database, url: string) {
  const tenant = 'bench-log';
  await db('tenants').insert({ slug: tenant, name: tenant });
  const signer = generateSigner();
  const built = process.hrtime.bigint();
  await buildLog(url, signer, tenant);
  console.log(`\n[3] ${fmt(LOG_EVENTS)} events in tenant ${tenant}`);
  console.log(`  built in          ${seconds(built).toFixed(1)} s`);
  await db.raw('analyze audit_events');

  // Read first once so both timings start with the same warm cache.
  await plainRead(db, tenant);
  const readStarted = process.hrtime.bigint();
  const rows = await plainRead(db, tenant);
  const readTime = seconds(readStarted);

  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const verifyStarted = process.hrtime.bigint();
  const result = await verifyChain(db, signer, tenant);
  const verifyTime = seconds(verifyStarted);
  clearInterval(sampler);

  console.log(`  plain read        ${readTime.toFixed(1)} s (${fmt(rows / readTime)} rows/s)`);
  console.log(
    `  verifyChain       ${verifyTime.toFixed(1)} s (${fmt(result.events / verifyTime)} events/s)`,
  );
  console.log(`  speed ratio       ${(readTime / verifyTime).toFixed(2)}  (target >= 0.50)`);
  console.log(`  peak heap         ${Math.round(peakHeap / 2 ** 20)} MiB during verify`);
  console.log(
    `  result            ok=${result.ok} events=${result.events}` +
      ` checkpoints=${result.checkpoints}` +
      ` fault=${result.fault ? JSON.stringify(result.fault) : 'none'}`,
  );
  if (!result.ok || result.events !== LOG_EVENTS) process.exitCode = 1;
}

async function plainRead(db: Database, tenant: string): Promise<number> {
  let rows = 0;
  for await (const batch of eventBatches(db, tenant)) rows += batch.length;
  return rows;
}

// Computes the chain here and inserts it 5,000 rows per statement (unnest of
// arrays), signing a checkpoint every 100,000 events: minutes instead of the
// hours a million one-by-one appends would take.
async function buildLog(url: string, signer: AuditSigner, tenant: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let prev = GENESIS_HASH;
    const base = Date.now() - LOG_EVENTS;
    for (let start = 1; start <= LOG_EVENTS; start += BUILD_BATCH) {
      const columns: unknown[][] = Array.from({ length: 11 }, () => []);
      for (let seq = start; seq < start + BUILD_BATCH && seq <= LOG_EVENTS; seq += 1) {
        const event = sampleEvent(tenant, seq, base);
        const hash = chainHash(prev, event);
        const values = [
          event.tenant,
          event.seq,
          event.id,
          event.time,
          event.actor_kind,
          event.actor_id,
          event.action,
          event.subject,
          JSON.stringify(event.data),
          prev,
          hash,
        ];
        values.forEach((value, i) => columns[i]!.push(value));
        prev = hash;
        if (seq % 100_000 === 0) await checkpoint(client, signer, tenant, seq, hash);
      }
      await client.query(
        `insert into audit_events
           (tenant, seq, id, time, actor_kind, actor_id, action, subject, data, prev_hash, hash)
         select * from unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[],
           $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::text[], $11::text[])`,
        columns,
      );
    }
    await client.query('insert into audit_heads (tenant, seq, hash) values ($1, $2, $3)', [
      tenant,
      LOG_EVENTS,
      prev,
    ]);
  } finally {
    await client.end();
  }
}

function sampleEvent(tenant: string, seq: number, base: number): ChainedEvent {
  const actions = ['request.created', 'grant.issued', 'session.opened', 'session.closed'];
  return {
    tenant,
    seq,
    id: randomUUID(),
    time: new Date(base + seq).toISOString(),
    actor_kind: 'technician',
    actor_id: `tech-${seq % 97}`,
    action: actions[seq % actions.length]!,
    subject: `grant-${Math.floor(seq / 4)}`,
    data: { profile: 'read-only', duration: 3600, ticket: `T-${seq}`, ip: '192.0.2.10' },
  };
}

async function checkpoint(
  client: pg.Client,
  signer: AuditSigner,
  tenant: string,
  seq: number,
  hash: string,
) {
  const unsigned = { tenant, seq, hash, time: new Date().toISOString(), key_id: signer.keyId };
  const signature = signer.sign(checkpointStatement(unsigned));
  await client.query(
    'insert into audit_checkpoints (tenant, seq, hash, time, key_id, signature) ' +
      'values ($1, $2, $3, $4, $5, $6)',
    [tenant, seq, hash, unsigned.time, signer.keyId, signature],
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
