/**
 * Vault for `npm start` in development when VAULT_ADDR is unset: starts the
 * stand-in on a free loopback port, configures it exactly as
 * scripts/vault-setup.ts configures a real Vault (for the tenants in the
 * database, demo tenants seeded first), and logs the broker in through
 * AppRole as in production. Tenants created later are set up on their first
 * credential. Never in production.
 */
import { join } from 'node:path';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { logger } from '../platform/logger';
import type { IssueInput } from '../vault/credential-issuer';
import { VaultClient } from '../vault/vault-client';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { setupBroker, setupTenant } from '../vault/vault-setup';
import { seedDemo } from './seed-demo';
import { VaultStandin } from './standin-server';

// The stand-in's database engine stores this connection but never opens it.
const STANDIN_DATABASE = {
  plugin: 'postgresql-database-plugin',
  connectionUrl: 'postgresql://{{username}}:{{password}}@standin.invalid/app',
  username: 'vault',
  password: 'stand-in-has-no-database',
};

/** Starts the stand-in and returns the broker's Vault services on it. */
export async function startDevelopmentVault(config: Config, db: Database): Promise<VaultServices> {
  if (config.env === 'production') throw new Error('the Vault stand-in is refused in production');
  const standin = await new VaultStandin({ env: config.env, quiet: config.env === 'test' }).start();
  const admin = new VaultClient({ addr: standin.url, token: standin.rootToken });
  try {
    if (config.env === 'development') await seedDemo(db);
    const policyDir = join(config.policyDir, 'vault');
    const options = { policyDir, maxTtl: '12h', database: STANDIN_DATABASE };
    const broker = await setupBroker(admin, config.vault, policyDir);

    const ready = new Map<string, Promise<unknown>>();
    const prepare = (tenant: string) => {
      if (!ready.has(tenant)) {
        const setup = setupTenant(admin, config.vault, tenant, options);
        ready.set(
          tenant,
          setup.catch((error: unknown) => {
            ready.delete(tenant);
            throw error;
          }),
        );
      }
      return ready.get(tenant)!;
    };
    const tenants = await db('tenants')
      .where({ status: 'active' })
      .whereNot({ slug: 'msp' })
      .pluck('slug');
    for (const tenant of tenants as string[]) await prepare(tenant);

    const services = createVaultServices(config, {
      addr: standin.url,
      ...broker,
      token: undefined,
    });
    for (const issuer of Object.values(services.issuers)) {
      const issue = issuer.issue.bind(issuer);
      issuer.issue = async (input: IssueInput) => {
        await prepare(input.tenant);
        return issue(input);
      };
    }
    logger.info('vault stand-in configured', { url: standin.url, tenants });
    const stopServices = services.stop;
    services.stop = async () => {
      await stopServices();
      admin.stop();
      await standin.stop();
    };
    return services;
  } catch (error) {
    admin.stop();
    await standin.stop();
    throw error;
  }
}
