import { runVaultSetup } from '../../scripts/vault-setup';
import { VaultStandin } from '../../src/vault-standin/standin-server';
import { VaultClient } from '../../src/vault/vault-client';
import { useTestDatabase } from '../support/database';
import { createTenant } from '../support/factories';

const database = useTestDatabase();
let standin: VaultStandin;

beforeAll(async () => {
  standin = await new VaultStandin({ quiet: true }).start();
});
afterAll(async () => {
  await standin.stop();
});

const env = () => ({
  NODE_ENV: 'test',
  VAULT_ADDR: standin.url,
  VAULT_TOKEN: standin.rootToken,
  DATABASE_URL: database.url,
});

describe('scripts/vault-setup', () => {
  it('sets up the broker AppRole and every tenant of the database, twice without harm', async () => {
    const tenant = await createTenant(database.db);
    for (let run = 0; run < 2; run++) {
      const out = await runVaultSetup([], env());
      expect(out.join('\n')).toContain(`tenant ${tenant}: customers/${tenant}`);
    }
    const out = await runVaultSetup(['--tenant', tenant, '--skip-broker'], env());
    expect(out).toHaveLength(1);

    const admin = new VaultClient({ addr: standin.url, token: standin.rootToken });
    try {
      const policy = await admin.call('GET', `sys/policies/acl/${tenant}-read-only`);
      expect(policy!.data.policy).toContain(`customers/${tenant}/kv/data/*`);
      const broker = await admin.call('GET', 'sys/policies/acl/jit-broker');
      expect(broker!.data.policy).toContain('customers/+/database/creds/*');
    } finally {
      admin.stop();
    }
  });

  it('refuses to run without a Vault token', async () => {
    const withoutToken: Record<string, string | undefined> = { ...env(), VAULT_TOKEN: undefined };
    await expect(runVaultSetup(['--tenant', 'acme'], withoutToken)).rejects.toThrow(/VAULT_TOKEN/);
  });
});
