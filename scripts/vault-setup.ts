/**
 * Operator setup of a real Vault for the broker (see README, "Vault"):
 *
 *   VAULT_ADDR=https://vault.example:8200 VAULT_TOKEN=<admin token> \
 *     node dist/scripts/vault-setup.js [--tenant acme ...] [--database-url <template>]
 *
 * Creates the broker's policy and AppRole (printing its role id and a new
 * secret id for VAULT_ROLE_ID and VAULT_SECRET_ID), then for each tenant
 * (given, or every active tenant in DATABASE_URL) its mounts, ACL policies
 * from policies/vault/*.hcl, token role, database roles and SSH CA. Safe to
 * run again: what exists is kept, policies and roles are rewritten.
 * VAULT_TENANT_PATH and VAULT_NAMESPACE apply as in the broker.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../src/platform/config';
import { connectDatabase } from '../src/platform/database';
import { VaultClient } from '../src/vault/vault-client';
import { setupBroker, setupTenant } from '../src/vault/vault-setup';

/** Runs the setup; returns what it printed, for tests. */
export async function runVaultSetup(argv: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const program = new Command('vault-setup')
    .option('--tenant <slug...>', 'tenants to set up (default: active tenants in DATABASE_URL)')
    .option('--database-url <template>', 'tenant database URL for Vault; {tenant} is replaced')
    .option('--database-username <name>', 'user Vault connects as', 'vault')
    .option('--max-ttl <duration>', 'longest grant any profile allows', '12h')
    .option('--skip-broker', 'leave the broker AppRole alone (no new secret id)')
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const opts = program.opts<{
    tenant?: string[];
    databaseUrl?: string;
    databaseUsername: string;
    maxTtl: string;
    skipBroker?: boolean;
  }>();

  const config = loadConfig(env);
  if (!config.vault.addr || !config.vault.token) {
    throw new Error(
      'set VAULT_ADDR and VAULT_TOKEN (an operator token allowed to configure Vault)',
    );
  }
  const admin = new VaultClient({ addr: config.vault.addr, token: config.vault.token });
  const out: string[] = [];
  try {
    const policyDir = join(config.policyDir, 'vault');
    if (!opts.skipBroker) {
      const broker = await setupBroker(admin, config.vault, policyDir);
      out.push(`broker AppRole ready: VAULT_ROLE_ID=${broker.roleId}`);
      out.push(`new secret id (shown once, store it as VAULT_SECRET_ID): ${broker.secretId}`);
    }
    const tenants = opts.tenant ?? (await tenantsFromDatabase(config.databaseUrl));
    for (const tenant of tenants) {
      const database = opts.databaseUrl
        ? {
            plugin: 'postgresql-database-plugin',
            connectionUrl: opts.databaseUrl.replaceAll('{tenant}', tenant),
            username: opts.databaseUsername,
            // A password never goes on the command line, where `ps` shows it.
            password: env.VAULT_SETUP_DATABASE_PASSWORD ?? '',
          }
        : undefined;
      const done = await setupTenant(admin, config.vault, tenant, {
        policyDir,
        maxTtl: opts.maxTtl,
        database,
      });
      const note = database ? '' : ' (database engine not configured: no --database-url)';
      out.push(`tenant ${tenant}: ${done.paths.base}, policies ${done.policies.join(', ')}${note}`);
    }
    return out;
  } finally {
    admin.stop();
  }
}

async function tenantsFromDatabase(url: string | undefined): Promise<string[]> {
  if (!url) throw new Error('give --tenant, or DATABASE_URL to read the tenants from');
  const db = connectDatabase(url, { poolMax: 1 });
  try {
    return (await db('tenants')
      .where({ status: 'active' })
      .whereNot({ slug: 'msp' })
      .pluck('slug')) as string[];
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  runVaultSetup(process.argv.slice(2), process.env)
    .then((lines) => lines.forEach((line) => console.log(line)))
    .catch((error: unknown) => {
      console.error(
        `vault-setup failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      process.exit(1);
    });
}
