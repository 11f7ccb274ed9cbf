/**
 * Grant benchmark (not a test): `npm run bench:grants`.
 *
 * Runs, in one process and one run, against the Vault stand-in on loopback
 * (in a process of its own, as Vault would be):
 * - the broker: POST /requests for an auto-approved profile (request, grant,
 *   Vault token, parking) then POST /grants/:id/checkout (unwrap, re-park,
 *   wrap for delivery, access session), over HTTP with real authentication;
 * - a bare baseline making the same Vault calls through the same client and
 *   writing the same rows with plain pg: no HTTP, no validation, no locks, no
 *   hash chain.
 * First at full concurrency (throughput: a closed loop of BENCH_CONCURRENCY
 * flows at a time), then at half load (added latency): flows arrive on a fixed
 * schedule at half the rate the broker sustained at full load, the same
 * schedule for both sides, and each latency counts from the flow's scheduled
 * start. That is half load in the usual sense (half the broker's capacity); a
 * closed loop at half the concurrency, printed too, still saturates a broker
 * that is CPU-bound and so mostly measures queueing. The database statements
 * each side sends per flow are printed as well, and the CPU this process spent
 * per flow (the broker's side includes the load generator's HTTP client; the
 * stand-in and PostgreSQL are other processes).
 *
 * Sizes: BENCH_FLOWS (default 1000), BENCH_CONCURRENCY (default 16),
 * BENCH_TENANTS (default 50), BENCH_PACED_SECONDS (default 60), BENCH_ROUNDS
 * (default 1: the summary gives the median of the rounds' ratios and p99
 * differences), BENCH_WARMUP_FLOWS (default 1500 per side, unmeasured, before
 * the first round). DATABASE_URL picks the server (else embedded).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../src/app';
import { VaultGrantIssuance } from '../src/grants/issue-grant';
import { JobOutboxRelay } from '../src/jobs/job-outbox';
import { AccessTokens } from '../src/identity/access-tokens';
import { loadConfig } from '../src/platform/config';
import { connectDatabase, migrateToLatest, type Database } from '../src/platform/database';
import { configureLogger } from '../src/platform/logger';
import { loadPolicySet } from '../src/policies/policy-set';
import { VaultClient } from '../src/vault/vault-client';
import { createVaultServices, type VaultServices } from '../src/vault/vault-services';
import { setupBroker, setupTenant } from '../src/vault/vault-setup';
import {
  benchServer,
  measure,
  measurePaced,
  quantile,
  serveStandin,
  standinProcess,
  type RunStats,
} from './bench-support';
import { SETTINGS, agent, bareFlow, brokerFlow, type Pair } from './grant-flows';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 50);
/**
 * How long each side of the half-load run lasts, in seconds: long enough for
 * a p99 that holds from run to run. Over 15 s (about 1,100 flows) it is the
 * 11th-slowest flow, which one stall of the shared machine decides.
 */
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 60);
/** Rounds of the whole sequence; the summary gives their medians. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/**
 * Flows each side runs, unmeasured, before the first round: enough that the
 * broker's first round runs as fast as its later ones, as a broker that has
 * been serving for a while does (after 300 it was still a tenth slower).
 */
const WARMUP_FLOWS = Number(process.env.BENCH_WARMUP_FLOWS ?? 1500);
const STANDIN_DATABASE = {
  plugin: 'postgresql-database-plugin',
  connectionUrl: 'postgresql://{{username}}:{{password}}@standin.invalid/app',
  username: 'vault',
  password: 'stand-in-has-no-database',
};

let counting: 'broker' | 'baseline' | undefined;
const statements = { broker: 0, baseline: 0 };

async function main() {
  configureLogger({ level: 'error', json: true, silent: true });
  const server = await benchServer();
  const name = `jit_bench_${randomBytes(4).toString('hex')}`;
  const admin = connectDatabase(server.url, { poolMax: 1 });
  await admin.raw(`create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const db = connectDatabase(url.toString(), { poolMax: 20 });
  const plain = new pg.Pool({ connectionString: url.toString(), max: 20 });
  const standin = await standinProcess(__filename);
  const root = new VaultClient({ addr: standin.url, token: standin.rootToken });
  let broker: Awaited<ReturnType<typeof startBrokerApp>> | undefined;

  try {
    await migrateToLatest(db);
    await db.raw('create table bench_audit (like audit_events including defaults)');
    const tenants = Array.from({ length: TENANTS }, (_, i) => `bench-${i}`);
    await db('tenants').insert(tenants.map((slug) => ({ slug, name: slug })));
    const approle = await setupBroker(root, SETTINGS, 'policies/vault');
    for (const tenant of tenants) {
      await setupTenant(root, SETTINGS, tenant, {
        policyDir: 'policies/vault',
        maxTtl: '12h',
        database: STANDIN_DATABASE,
      });
    }
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString() });
    const vault = createVaultServices(
      { vault: { ...config.vault, addr: standin.url } },
      { ...approle, addr: standin.url },
    );
    broker = await startBrokerApp(db, vault);

    const pairs = (count: number) => makePairs(db, tenants, count);
    console.log(`grant benchmark: ${FLOWS} flows, ${TENANTS} tenants, Vault stand-in on loopback`);
    // Statements each side sends per flow, counted during its full-load run.
    db.on('query', () => {
      if (counting === 'broker') statements.broker += 1;
    });
    const bare = (text: string, values?: unknown[]) => {
      if (counting === 'baseline') statements.baseline += 1;
      return plain.query(text, values);
    };
    const sides = {
      broker: (p: Pair) => brokerFlow(broker!.url, p),
      baseline: (p: Pair) => bareFlow(bare, vault, p),
    };
    // Unmeasured warm-up of both sides: the first flows of a process pay for
    // compiling its code and opening its connections, and whichever side ran
    // first would pay for the code both share.
    for (const side of [sides.broker, sides.baseline]) {
      await measure(CONCURRENCY, await pairs(WARMUP_FLOWS), side);
    }
    const rounds: Round[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      if (ROUNDS > 1) console.log(`round ${i} of ${ROUNDS}`);
      rounds.push(await runRound(pairs, sides, rounds.length === 0));
    }

    const median = (pick: (r: Round) => number) => quantile(rounds.map(pick), 0.5);
    const of = ROUNDS > 1 ? ` (median of ${ROUNDS} rounds)` : '';
    console.log(
      `throughput ratio broker/baseline at full load: ${median((r) => r.ratio).toFixed(2)}` +
        `${of} (target >= 0.5)`,
    );
    console.log(
      `database statements per flow: broker ${(statements.broker / FLOWS).toFixed(1)}, ` +
        `baseline ${(statements.baseline / FLOWS).toFixed(1)}`,
    );
    console.log(
      `p99 added latency at half load: ${median((r) => r.p99Added).toFixed(1)} ms` +
        `${of} (target < 15 ms)`,
    );
    await vault.stop();
  } finally {
    agent.destroy();
    await broker?.stop();
    await plain.end();
    await db.destroy();
    root.stop();
    standin.stop();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
    await server.stop();
  }
}

async function startBrokerApp(db: Database, vault: VaultServices) {
  const config = loadConfig({ NODE_ENV: 'test' });
  const policies = loadPolicySet('policies');
  // As in the broker: activations' expiry jobs reach the queue through the relay.
  const outbox = new JobOutboxRelay(db).start();
  const issuance = new VaultGrantIssuance({
    db,
    config,
    vault,
    policies: () => policies,
    outbox,
  });
  const app = createApp({ config, db, vault, access: { policies: () => policies, issuance } });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await outbox.stop();
    },
  };
}

type Flow = (pair: Pair) => Promise<void>;
type Round = { ratio: number; p99Added: number };

/**
 * One round: both sides at full load, then at half the concurrency, then at
 * half load on a schedule, alternating so that drift on a shared machine hits
 * both. Statements are counted in the first round's full-load runs.
 */
async function runRound(
  pairs: (count: number) => Promise<Pair[]>,
  sides: { broker: Flow; baseline: Flow },
  count: boolean,
): Promise<Round> {
  const full = CONCURRENCY;
  const half = Math.max(1, Math.floor(CONCURRENCY / 2));
  const fullPairs = [await pairs(FLOWS), await pairs(FLOWS)] as const;
  if (count) counting = 'broker';
  const b1 = await measure(full, fullPairs[0], sides.broker);
  if (count) counting = 'baseline';
  const a1 = await measure(full, fullPairs[1], sides.baseline);
  counting = undefined;
  const b2 = await measure(half, await pairs(FLOWS), sides.broker);
  const a2 = await measure(half, await pairs(FLOWS), sides.baseline);
  const rate = b1.rate / 2;
  const paced = Math.max(1, Math.round(rate * PACED_SECONDS));
  const b3 = await measurePaced(rate, await pairs(paced), sides.broker);
  const a3 = await measurePaced(rate, await pairs(paced), sides.baseline);

  report(`full load (${full} concurrent)`, b1, a1);
  report(`closed loop at half the concurrency (${half} concurrent)`, b2, a2);
  report(`half load (${rate.toFixed(1)} flows/s on a schedule, ${paced} flows)`, b3, a3);
  return { ratio: b1.rate / a1.rate, p99Added: b3.p99 - a3.p99 };
}

/**
 * `count` fresh technicians, each signed in and assigned to one tenant, the
 * tenants taken in turn. Flows running side by side are then by different
 * people on different tenants, as at an MSP; one technician firing many
 * requests at once would only measure the broker queueing them (it takes a
 * technician's requests one at a time).
 */
async function makePairs(db: Database, tenants: string[], count: number): Promise<Pair[]> {
  const tokens = new AccessTokens(loadConfig({ NODE_ENV: 'test' }));
  const now = new Date();
  const people = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    sid: randomUUID(),
    tenant: tenants[i % tenants.length]!,
  }));
  await db.batchInsert(
    'technicians',
    people.map(({ id }) => ({
      id,
      email: `bench-${id}@msp.example`,
      display_name: 'bench',
      role: 'technician',
      status: 'active',
      mfa_enrolled_at: now,
    })),
    500,
  );
  await db.batchInsert(
    'login_sessions',
    people.map(({ id, sid }) => ({
      id: sid,
      technician_id: id,
      mfa_at: now,
      expires_at: new Date(now.getTime() + 3600_000),
    })),
    500,
  );
  await db.batchInsert(
    'assignments',
    people.map(({ id, tenant }) => ({ tenant, technician_id: id, relation: 'technician' })),
    500,
  );
  const mfa = Math.floor(now.getTime() / 1000);
  return people.map(({ id, sid, tenant }) => ({
    tenant,
    technicianId: id,
    authorization: `Bearer ${tokens.sign({ sub: id, sid, mfa })}`,
  }));
}

function report(label: string, brokerSide: RunStats, bare: RunStats) {
  const line = (who: string, s: RunStats) =>
    `  ${who.padEnd(9)} ${s.rate.toFixed(1).padStart(7)} grants/s   ` +
    `p50 ${s.p50.toFixed(1).padStart(6)} ms   p99 ${s.p99.toFixed(1).padStart(6)} ms   ` +
    `CPU ${s.cpuPerItem.toFixed(1).padStart(4)} ms/flow`;
  console.log(label);
  console.log(line('broker', brokerSide));
  console.log(line('baseline', bare));
}

(process.argv[2] === 'standin' ? serveStandin() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
