/**
 * A Vault for credential tests: the stand-in by default, or a real Vault when
 * VAULT_ADDR and VAULT_TOKEN point at one (then faults and clock control are
 * unavailable, and tests that need them run against the stand-in only).
 * Either way it is set up exactly as scripts/vault-setup.ts sets up Vault,
 * for two fresh tenants, and the broker logs in through AppRole.
 */
import { randomBytes } from 'node:crypto';
import { VaultStandin } from '../../src/vault-standin/standin-server';
import { VaultClient } from '../../src/vault/vault-client';
import { createVaultServices, type VaultServices } from '../../src/vault/vault-services';
import { POLICY_DIR } from '../../src/vault/policy-templates';
import { setupBroker, setupTenant } from '../../src/vault/vault-setup';

/** A clock tests move by hand. */
export function manualClock(start = Date.now()) {
  let now = start;
  const clock = () => now;
  clock.advance = (seconds: number) => {
    now += seconds * 1000;
  };
  return clock;
}

/** Whether a real Vault was given to the tests. */
export const REAL_VAULT = Boolean(process.env.VAULT_ADDR && process.env.VAULT_TOKEN);

/** The running Vault, its admin client and the broker's services. */
export interface VaultFixture {
  addr: string;
  standin: VaultStandin | undefined;
  clock: ReturnType<typeof manualClock>;
  admin: VaultClient;
  services: VaultServices;
  settings: { tenantPath: string; namespace: string | undefined };
  tenants: [string, string];
  stop(): Promise<void>;
}

/** Starts (or connects to) a Vault and sets it up for two tenants. */
export async function startVaultFixture(
  options: { namespace?: string; timeoutMs?: number; useStandin?: boolean } = {},
): Promise<VaultFixture> {
  const clock = manualClock();
  const useStandin = options.useStandin || !REAL_VAULT;
  const standin = useStandin
    ? await new VaultStandin({ clock, quiet: true, slowMs: 1500 }).start()
    : undefined;
  const addr = standin ? standin.url : process.env.VAULT_ADDR!;
  const admin = new VaultClient({
    addr,
    token: standin ? standin.rootToken : process.env.VAULT_TOKEN,
  });
  const settings = { tenantPath: 'customers/{tenant}', namespace: options.namespace };
  const suffix = randomBytes(3).toString('hex');
  const tenants: [string, string] = [`acme-${suffix}`, `globex-${suffix}`];

  const broker = await setupBroker(admin, settings, POLICY_DIR);
  for (const tenant of tenants) {
    await setupTenant(admin, settings, tenant, {
      policyDir: POLICY_DIR,
      maxTtl: '12h',
      database: standin
        ? {
            plugin: 'postgresql-database-plugin',
            connectionUrl: 'postgresql://{{username}}:{{password}}@db.invalid/app',
            username: 'vault',
            password: 'standin-only',
          }
        : databaseFromEnv(),
    });
  }
  const services = createVaultServices(
    { vault: { addr, token: undefined, roleId: undefined, secretId: undefined, ...settings } },
    { ...broker, timeoutMs: options.timeoutMs ?? 2000 },
  );
  return {
    addr,
    standin,
    clock,
    admin,
    services,
    settings,
    tenants,
    stop: async () => {
      await services.stop();
      admin.stop();
      await standin?.stop();
    },
  };
}

// Against a real Vault the database engine needs a real database to create users in.
function databaseFromEnv() {
  const url = process.env.VAULT_TEST_DATABASE_URL;
  if (!url) return undefined;
  return {
    plugin: 'postgresql-database-plugin',
    connectionUrl: url,
    username: process.env.VAULT_TEST_DATABASE_USER ?? 'postgres',
    password: process.env.VAULT_TEST_DATABASE_PASSWORD ?? '',
  };
}
