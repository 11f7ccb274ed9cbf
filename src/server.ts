/**
 * Starts and stops a whole broker: database (embedded in development), schema,
 * HTTP server. main.ts calls it for the real process; tests that need a live
 * port (CLI, browser) call it too.
 */
import type { Server } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from './app';
import type { Config } from './platform/config';
import { connectDatabase, migrateToLatest, type Database } from './platform/database';
import { startEmbeddedPostgres } from './platform/embedded-postgres';
import { logger } from './platform/logger';
import { loadPolicySet } from './policies/policy-set';
import { recordPolicySet } from './policies/record-policy-set';
import { startDevelopmentVault } from './vault-standin/development-vault';
import { createVaultServices } from './vault/vault-services';
import { VaultGrantIssuance } from './grants/issue-grant';
import { JobOutboxRelay } from './jobs/job-outbox';
import { startRevocationWorker } from './revocation/revocation-worker';

/** A running broker. */
export interface RunningBroker {
  url: string;
  db: Database;
  /** Graceful stop: refuse new connections, drain, close everything. */
  stop(): Promise<void>;
}

/** Starts a broker from a checked configuration. */
export async function startBroker(config: Config): Promise<RunningBroker> {
  const cleanups: (() => Promise<void>)[] = [];
  // A broken policy file stops the start before anything else is started.
  const policies = loadPolicySet(config.policyDir);
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({
        dataDir: join(config.dataDir, 'postgres'),
        persistent: config.env === 'development',
      });
      cleanups.unshift(embedded.stop);
      databaseUrl = embedded.url;
      if (config.env === 'development') {
        // Lets `npm run admin` reach this database while the broker holds it.
        const urlFile = join(config.dataDir, 'postgres-url');
        writeFileSync(urlFile, `${embedded.url}\n`, { mode: 0o600 });
        cleanups.unshift(async () => rmSync(urlFile, { force: true }));
      }
      logger.info('embedded postgres started', { data_dir: config.dataDir });
    }

    const db = connectDatabase(databaseUrl);
    cleanups.unshift(() => db.destroy());
    // Production migrates by `npm run migrate`, a deliberate step; development
    // and tests keep the schema current by themselves.
    if (config.env !== 'production') {
      const applied = await migrateToLatest(db);
      if (applied.length > 0) logger.info('migrations applied', { migrations: applied });
    }

    if ((await recordPolicySet(db, policies)) === 'recorded') {
      logger.info('policy set loaded', { policy_hash: policies.hash });
    }
    // Without VAULT_ADDR (development, tests) the labelled Vault stand-in serves.
    const vault = config.vault.addr
      ? createVaultServices(config)
      : await startDevelopmentVault(config, db);
    cleanups.unshift(() => vault.stop());
    // Background jobs (expiry, revocation retries, checkpoints) share the queue
    // with every other broker process; stopped before Vault and the database.
    if (config.jobs.enabled) {
      const worker = await startRevocationWorker({ config, databaseUrl, issuers: vault.issuers });
      cleanups.unshift(() => worker.stop());
    }
    // Expiry jobs written by this process's activations reach the queue
    // through it; stopped after the HTTP server, before the database.
    const outbox = new JobOutboxRelay(db).start();
    cleanups.unshift(() => outbox.stop());
    const issuance = new VaultGrantIssuance({
      db,
      config,
      vault,
      policies: () => policies,
      outbox,
    });
    const app = createApp({
      config,
      db,
      vault,
      access: { policies: () => policies, issuance },
      readiness: { vault: vault.ready },
    });
    const server = await listen(app, config.port);
    const url = `http://localhost:${(server.address() as { port: number }).port}`;

    const stop = async () => {
      await closeServer(server, config.shutdownTimeout * 1000);
      for (const cleanup of cleanups) await cleanup();
    };
    return { url, db, stop };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

// Stops accepting, lets requests in flight finish, then after `timeoutMs`
// cuts whatever connections remain so that a stuck client cannot hold the stop.
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
