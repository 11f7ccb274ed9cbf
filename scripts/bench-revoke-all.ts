/**
 * Emergency revoke-all benchmark (not a test): `npm run bench:revoke-all`.
 *
 * In one process and one run, against the Vault stand-in on loopback:
 * - a bare loop: the same Vault revocations (vault-token, by accessor, through
 *   the same client and issuer) with BENCH_CONCURRENCY in flight, nothing else;
 * - the broker: emergency revoke-all (set-based marking, one audit event per
 *   grant per tenant chain, jobs queued) then the job worker with
 *   JOB_CONCURRENCY = BENCH_CONCURRENCY, timed until every grant is `revoked`,
 *   i.e. until Vault has confirmed all.
 * Both sides also report the CPU this process spent on them.
 * Each run revokes its own set of freshly issued tokens, issued just before it,
 * so the stand-in holds the same number of tokens during both. The stand-in
 * runs in a process of its own, as Vault would: in the broker's process its
 * request handling would compete with the broker's for one event loop.
 *
 * Sizes: BENCH_GRANTS (10000), BENCH_TENANTS (500), BENCH_TECHNICIANS (200),
 * BENCH_CONCURRENCY (16). BENCH_VAULT_LATENCY_MS adds a delay to every Vault
 * answer (the stand-in's `slow` fault) to model a remote Vault.
 */
import { randomUUID } from 'node:crypto';
import { connectDatabase, migrateToLatest, type Database } from '../src/platform/database';
import { loadConfig } from '../src/platform/config';
import { configureLogger } from '../src/platform/logger';
import { loadPolicySet } from '../src/policies/policy-set';
import { forEachLimit } from '../src/revocation/bounded-parallel';
import { revokeAll } from '../src/revocation/emergency-revoke';
import { startRevocationWorker } from '../src/revocation/revocation-worker';
import { VaultClient } from '../src/vault/vault-client';
import { createVaultServices, type VaultServices } from '../src/vault/vault-services';
import { setupBroker, setupTenant } from '../src/vault/vault-setup';
import { benchServer, cpuMsSince, serveStandin, standinProcess } from './bench-support';

const GRANTS = Number(process.env.BENCH_GRANTS ?? 10000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 500);
const TECHNICIANS = Number(process.env.BENCH_TECHNICIANS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LATENCY_MS = Number(process.env.BENCH_VAULT_LATENCY_MS ?? 0);
const SETTINGS = { tenantPath: 'customers/{tenant}', namespace: undefined };

const tenantName = (i: number) => `bench-${String(i).padStart(4, '0')}`;
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/** Issues one Vault token per grant slot; returns accessors by slot. */
async function issueTokens(vault: VaultServices, techIds: string[]) {
  const profile = loadPolicySet('policies').profile(tenantName(0), 'read-only')!;
  const accessors: string[] = new Array(GRANTS);
  await forEachLimit([...Array(GRANTS).keys()], CONCURRENCY, async (i) => {
    const issued = await vault.issuers['vault-token'].issue({
      grantId: randomUUID(),
      tenant: tenantName(i % TENANTS),
      technicianId: techIds[i % TECHNICIANS]!,
      technicianEmail: `tech-${i % TECHNICIANS}@msp.example`,
      profile,
      ttlSeconds: 3600,
    });
    accessors[i] = issued.accessor!;
  });
  return accessors;
}

/** Writes one active grant (and its request) per accessor. */
async function writeGrants(db: Database, techIds: string[], accessors: string[], hash: string) {
  const now = new Date();
  const ends = new Date(now.getTime() + 3600 * 1000);
  const requests = [];
  const grants = [];
  for (const [i, accessor] of accessors.entries()) {
    const base = {
      tenant: tenantName(i % TENANTS),
      technician_id: techIds[i % TECHNICIANS]!,
      profile: 'read-only',
    };
    const requestId = randomUUID();
    requests.push({
      ...base,
      id: requestId,
      duration_seconds: 3600,
      justification: 'benchmark grant',
      status: 'approved',
      policy_hash: hash,
      expires_at: now,
    });
    grants.push({
      ...base,
      id: randomUUID(),
      request_id: requestId,
      credential_kind: 'vault-token',
      status: 'active',
      starts_at: now,
      ends_at: ends,
      vault_accessor: accessor,
    });
  }
  await db.batchInsert('access_requests', requests, 1000);
  await db.batchInsert('grants', grants, 1000);
}

async function main() {
  configureLogger({ level: 'error', json: true, silent: true });
  const server = await benchServer();
  const standin = await standinProcess(__filename);
  const db = connectDatabase(server.url);
  try {
    await migrateToLatest(db);
    const root = new VaultClient({ addr: standin.url, token: standin.rootToken });
    const approle = await setupBroker(root, SETTINGS, 'policies/vault');
    await forEachLimit([...Array(TENANTS).keys()], 8, async (i) => {
      await setupTenant(root, SETTINGS, tenantName(i), {
        policyDir: 'policies/vault',
        maxTtl: '12h',
      });
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: '.data/bench',
      JOB_CONCURRENCY: String(CONCURRENCY),
      JOB_POLL_INTERVAL_MS: '200',
    });
    const vault = createVaultServices(
      { vault: { ...config.vault, addr: standin.url } },
      { ...approle, addr: standin.url },
    );
    await db.batchInsert(
      'tenants',
      [...Array(TENANTS).keys()].map((i) => ({ slug: tenantName(i), name: tenantName(i) })),
      1000,
    );
    const techIds = [...Array(TECHNICIANS).keys()].map(() => randomUUID());
    await db.batchInsert(
      'technicians',
      techIds.map((id, i) => ({
        id,
        email: `tech-${i}@msp.example`,
        display_name: `t${i}`,
        role: 'technician',
        status: 'active',
      })),
      1000,
    );
    const admin = randomUUID();
    await db('technicians').insert({
      id: admin,
      email: 'admin@msp.example',
      display_name: 'admin',
      role: 'admin',
      status: 'active',
    });
    if (LATENCY_MS > 0)
      await root.call('POST', 'sys/standin/fault', { fault: 'slow', slow_ms: LATENCY_MS });

    // Bare loop: only the Vault revocations.
    const bareTokens = await issueTokens(vault, techIds);
    const bareCpu = process.cpuUsage();
    const bareStart = process.hrtime.bigint();
    await forEachLimit(bareTokens, CONCURRENCY, async (accessor) => {
      await vault.issuers['vault-token'].revoke({ tenant: tenantName(0), accessor });
    });
    const bare = seconds(bareStart);
    const bareCpuSeconds = cpuMsSince(bareCpu) / 1000;

    // The broker: emergency revoke-all until Vault has confirmed every grant.
    const brokerTokens = await issueTokens(vault, techIds);
    await writeGrants(db, techIds, brokerTokens, 'bench');
    // Running before the clock starts, as in a live broker.
    const worker = await startRevocationWorker({
      config,
      databaseUrl: server.url,
      issuers: vault.issuers,
    });
    const brokerCpu = process.cpuUsage();
    const brokerStart = process.hrtime.bigint();
    const principal = {
      technicianId: admin,
      email: 'admin@msp.example',
      role: 'admin' as const,
      auditorTenant: null,
      sessionId: randomUUID(),
      mfaAt: new Date(),
    };
    await revokeAll(db, principal, 'benchmark');
    const marked = seconds(brokerStart);
    for (;;) {
      const left = await db('grants').whereNot('status', 'revoked').count({ n: '*' });
      if (Number(left[0]!.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const broker = seconds(brokerStart);
    const brokerCpuSeconds = cpuMsSince(brokerCpu) / 1000;
    await worker.stop();
    const gone = await Promise.all(
      brokerTokens.slice(0, 20).map((accessor) =>
        root.call('POST', 'auth/token/lookup-accessor', { accessor }).then(
          () => false,
          () => true,
        ),
      ),
    );
    await vault.stop();
    root.stop();

    const report = {
      grants: GRANTS,
      tenants: TENANTS,
      technicians: TECHNICIANS,
      concurrency: CONCURRENCY,
      vault_latency_ms: LATENCY_MS,
      bare_loop_seconds: Number(bare.toFixed(2)),
      bare_loop_cpu_seconds: Number(bareCpuSeconds.toFixed(2)),
      broker_marked_seconds: Number(marked.toFixed(2)),
      broker_confirmed_seconds: Number(broker.toFixed(2)),
      broker_cpu_seconds: Number(brokerCpuSeconds.toFixed(2)),
      ratio: Number((broker / bare).toFixed(2)),
      sample_tokens_gone: gone.every(Boolean),
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await db.destroy();
    standin.stop();
    await server.stop();
  }
}

(process.argv[2] === 'standin' ? serveStandin() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
