/**
 * Grant benchmark (not a test): `npm run bench:grants`.
 *
 * Runs, in one process and one run, against the Vault stand-in on loopback:
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
 * that is CPU-bound and so mostly measures queueing.
 *
 * Sizes: BENCH_FLOWS (default 1000), BENCH_CONCURRENCY (default 16),
 * BENCH_TENANTS (default 50), BENCH_PACED_SECONDS (default 15). DATABASE_URL
 * picks the server (else embedded).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../src/app';
import { VaultGrantIssuance } from '../src/grants/issue-grant';
import { AccessTokens } from '../src/identity/access-tokens';
import { loadConfig } from '../src/platform/config';
import { connectDatabase, migrateToLatest, type Database } from '../src/platform/database';
import { configureLogger } from '../src/platform/logger';
import { loadPolicySet } from '../src/policies/policy-set';
import { VaultStandin } from '../src/vault-standin/standin-server';
import { tenantPaths } from '../src/vault/tenant-paths';
import { VaultClient } from '../src/vault/vault-client';
import { createVaultServices, type VaultServices } from '../src/vault/vault-services';
import { setupBroker, setupTenant } from '../src/vault/vault-setup';
import { benchServer, quantile, runConcurrent } from './bench-support';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 50);
/** How long each side of the half-load run lasts, in seconds. */
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 15);
const SETTINGS = { tenantPath: 'customers/{tenant}', namespace: undefined };
const STANDIN_DATABASE = {
  plugin: 'postgresql-database-plugin',
  connectionUrl: 'postgresql://{{username}}:{{password}}@standin.invalid/app',
  username: 'vault',
  password: 'stand-in-has-no-database',
};

interface Pair {
  tenant: string;
  technicianId: string;
  authorization: string;
}

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
  const standin = await new VaultStandin({ quiet: true }).start();
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
    const full = CONCURRENCY;
    const half = Math.max(1, Math.floor(CONCURRENCY / 2));
    // Alternate the two sides so that drift on a shared machine hits both.
    const b1 = await measure(full, await pairs(FLOWS), (p) => brokerFlow(broker!.url, p));
    const a1 = await measure(full, await pairs(FLOWS), (p) => bareFlow(plain, vault, p));
    const b2 = await measure(half, await pairs(FLOWS), (p) => brokerFlow(broker!.url, p));
    const a2 = await measure(half, await pairs(FLOWS), (p) => bareFlow(plain, vault, p));
    const rate = b1.rate / 2;
    const paced = Math.max(1, Math.round(rate * PACED_SECONDS));
    const b3 = await measurePaced(rate, await pairs(paced), (p) => brokerFlow(broker!.url, p));
    const a3 = await measurePaced(rate, await pairs(paced), (p) => bareFlow(plain, vault, p));

    report(`full load (${full} concurrent)`, b1, a1);
    report(`closed loop at half the concurrency (${half} concurrent)`, b2, a2);
    report(`half load (${rate.toFixed(1)} flows/s on a schedule, ${paced} flows)`, b3, a3);
    console.log(
      `throughput ratio broker/baseline at full load: ${(b1.rate / a1.rate).toFixed(2)}` +
        ' (target >= 0.5)',
    );
    console.log(
      `p99 added latency at half load: ${(b3.p99 - a3.p99).toFixed(1)} ms (target < 15 ms)`,
    );
    await vault.stop();
  } finally {
    await broker?.stop();
    await plain.end();
    await db.destroy();
    root.stop();
    await standin.stop();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
    await server.stop();
  }
}

async function startBrokerApp(db: Database, vault: VaultServices) {
  const config = loadConfig({ NODE_ENV: 'test' });
  const policies = loadPolicySet('policies');
  const issuance = new VaultGrantIssuance({
    db,
    config,
    vault,
    policies: () => policies,
  });
  const app = createApp({ config, db, vault, access: { policies: () => policies, issuance } });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `count` fresh technicians-by-tenant pairs, each signed in, each able to hold one grant. */
async function makePairs(db: Database, tenants: string[], count: number): Promise<Pair[]> {
  const tokens = new AccessTokens(loadConfig({ NODE_ENV: 'test' }));
  const pairs: Pair[] = [];
  for (let i = 0; pairs.length < count; i++) {
    const id = randomUUID();
    await db('technicians').insert({
      id,
      email: `bench-${id}@msp.example`,
      display_name: 'bench',
      role: 'technician',
      status: 'active',
      mfa_enrolled_at: new Date(),
    });
    const sid = randomUUID();
    await db('login_sessions').insert({
      id: sid,
      technician_id: id,
      mfa_at: new Date(),
      expires_at: new Date(Date.now() + 3600_000),
    });
    await db('assignments').insert(
      tenants.map((tenant) => ({ tenant, technician_id: id, relation: 'technician' })),
    );
    const token = tokens.sign({ sub: id, sid, mfa: Math.floor(Date.now() / 1000) });
    for (const tenant of tenants) {
      if (pairs.length < count) {
        pairs.push({ tenant, technicianId: id, authorization: `Bearer ${token}` });
      }
    }
  }
  return pairs;
}

async function post(url: string, authorization: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function brokerFlow(base: string, pair: Pair) {
  const created = await post(`${base}/api/v1/requests`, pair.authorization, {
    tenant: pair.tenant,
    profile: 'read-only',
    duration: '1h',
    justification: 'benchmark: routine health check',
  });
  if (created.grant_status !== 'active') throw new Error(`grant ${String(created.grant_status)}`);
  await post(`${base}/api/v1/grants/${String(created.grant_id)}/checkout`, pair.authorization, {});
}

let auditSeq = 0;
function auditRow(tenant: string, action: string, subject: string) {
  auditSeq += 1;
  const hash = randomBytes(32).toString('hex');
  return [tenant, auditSeq, randomUUID(), new Date().toISOString(), action, subject, hash];
}
const AUDIT_INSERT =
  'insert into bench_audit ' +
  '(tenant, seq, id, time, actor_kind, action, subject, data, prev_hash, hash) ' +
  "values ($1, $2, $3, $4, 'technician', $5, $6, '{}', $7, $7)";

/** The same Vault calls and rows as the broker's flow, with nothing around them. */
async function bareFlow(plain: pg.Pool, vault: VaultServices, pair: Pair) {
  const requestId = randomUUID();
  const grantId = randomUUID();
  const ends = new Date(Date.now() + 3600_000);
  await plain.query(
    'insert into access_requests (id, tenant, technician_id, profile, duration_seconds, ' +
      "justification, status, policy_hash, expires_at) values ($1, $2, $3, 'read-only', 3600, " +
      "'benchmark', 'approved', 'bench', $4)",
    [requestId, pair.tenant, pair.technicianId, ends],
  );
  await plain.query(
    'insert into grants (id, request_id, tenant, technician_id, profile, credential_kind, ' +
      "status, starts_at, ends_at) values ($1, $2, $3, $4, 'read-only', 'vault-token', " +
      "'issuing', now(), $5)",
    [grantId, requestId, pair.tenant, pair.technicianId, ends],
  );
  for (const action of ['request.created', 'request.approved', 'grant.issuing']) {
    await plain.query(AUDIT_INSERT, auditRow(pair.tenant, action, grantId));
  }
  const paths = tenantPaths(SETTINGS, pair.tenant);
  const issued = await vault.client.call('POST', `auth/token/create/${paths.tokenRole}`, {
    policies: [`${pair.tenant}-read-only`],
    ttl: '3600s',
    explicit_max_ttl: '3600s',
    renewable: false,
    meta: { grant_id: grantId },
  });
  const auth = issued!.auth as { client_token: string; accessor: string };
  const parked = await vault.wrap(pair.tenant, { token: auth.client_token }, 3600);
  await plain.query(
    "update grants set status = 'active', vault_accessor = $2, parked_wrap_sealed = $3 " +
      'where id = $1',
    [grantId, auth.accessor, parked.token],
  );
  await plain.query(AUDIT_INSERT, auditRow(pair.tenant, 'grant.issued', grantId));

  const credential = await vault.unwrap(pair.tenant, parked.token);
  const reparked = await vault.wrap(pair.tenant, credential, 3600);
  await plain.query('update grants set parked_wrap_sealed = $2 where id = $1', [
    grantId,
    reparked.token,
  ]);
  await vault.wrap(pair.tenant, credential, 300);
  const sessionId = randomUUID();
  await plain.query(
    'insert into access_sessions (id, grant_id, tenant, technician_id) values ($1, $2, $3, $4)',
    [sessionId, grantId, pair.tenant, pair.technicianId],
  );
  await plain.query(AUDIT_INSERT, auditRow(pair.tenant, 'session.opened', sessionId));
}

async function measure(concurrency: number, pairs: Pair[], flow: (pair: Pair) => Promise<void>) {
  const { seconds, latencies } = await runConcurrent(pairs.length, concurrency, (i) =>
    flow(pairs[i]!),
  );
  return {
    rate: pairs.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

/**
 * Starts flow i at `i / rate` seconds whether or not earlier ones are done (an
 * open loop), and times each from its scheduled start, so that a late start
 * counts against the side that caused it.
 */
async function measurePaced(rate: number, pairs: Pair[], flow: (pair: Pair) => Promise<void>) {
  const started = performance.now();
  const latencies = await Promise.all(
    pairs.map(async (pair, i) => {
      const due = started + (i * 1000) / rate;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      await flow(pair);
      return performance.now() - due;
    }),
  );
  return {
    rate: pairs.length / ((performance.now() - started) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

function report(label: string, brokerSide: Stats, bare: Stats) {
  const line = (who: string, s: Stats) =>
    `  ${who.padEnd(9)} ${s.rate.toFixed(1).padStart(7)} grants/s   ` +
    `p50 ${s.p50.toFixed(1).padStart(6)} ms   p99 ${s.p99.toFixed(1).padStart(6)} ms`;
  console.log(label);
  console.log(line('broker', brokerSide));
  console.log(line('baseline', bare));
}

type Stats = Awaited<ReturnType<typeof measure>>;

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
