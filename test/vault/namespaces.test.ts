/**
 * VAULT_NAMESPACE: each tenant in its own (Vault Enterprise) namespace. Real
 * Vault OSS has no namespaces, so this runs against the stand-in.
 */
import { randomUUID } from 'node:crypto';
import createNodeVault from 'node-vault';
import { tenantPaths } from '../../src/vault/tenant-paths';
import { databaseProfile, readOnlyProfile } from './profiles';
import { startVaultFixture, type VaultFixture } from './vault-fixture';

let vault: VaultFixture;

beforeAll(async () => {
  vault = await startVaultFixture({ useStandin: true, namespace: 'msp/{tenant}' });
});
afterAll(async () => {
  await vault.stop();
});

const input = (tenant: string) => ({
  grantId: randomUUID(),
  tenant,
  technicianId: randomUUID(),
  technicianEmail: 'tech@msp.example',
  profile: readOnlyProfile,
  ttlSeconds: 600,
});

describe('per-tenant namespaces', () => {
  it('issues inside the tenant namespace; the token cannot reach another tenant', async () => {
    const [acme, globex] = vault.tenants;
    for (const tenant of [acme, globex]) {
      const { kv, namespace } = tenantPaths(vault.settings, tenant);
      await vault.admin.call('POST', `${kv}/data/app`, { data: { v: tenant } }, { namespace });
    }
    const issued = await vault.services.issuers['vault-token'].issue(input(acme));
    const wrapped = await vault.services.wrap(acme, issued.secret, 120);
    expect(wrapped.namespace).toBe(`msp/${acme}`);
    expect(vault.services.namespaceFor(acme)).toBe(`msp/${acme}`);

    const unwrap = createNodeVault({
      endpoint: vault.addr,
      token: wrapped.token,
      namespace: wrapped.namespace,
      noCustomHTTPVerbs: true,
    });
    const token = (await unwrap.unwrap()).data.token as string;
    const own = createNodeVault({ endpoint: vault.addr, token, namespace: `msp/${acme}` });
    expect((await own.read(`customers/${acme}/kv/data/app`)).data.data).toEqual({ v: acme });

    const other = createNodeVault({ endpoint: vault.addr, token, namespace: `msp/${globex}` });
    await expect(other.read(`customers/${globex}/kv/data/app`)).rejects.toMatchObject({
      response: { statusCode: 403 },
    });
  });

  it('keeps database leases in the tenant namespace and revokes them there', async () => {
    const [acme] = vault.tenants;
    const issuer = vault.services.issuers.database;
    const issued = await issuer.issue({ ...input(acme), profile: databaseProfile });
    expect(await issuer.revoke({ tenant: acme, leaseId: issued.leaseId })).toBe('revoked');
    expect(await issuer.revoke({ tenant: acme, leaseId: issued.leaseId })).toBe('already_gone');
  });
});
