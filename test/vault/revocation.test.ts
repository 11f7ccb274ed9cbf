import { randomUUID } from 'node:crypto';
import type { IssueInput } from '../../src/vault/credential-issuer';
import { databaseProfile, readOnlyProfile } from './profiles';
import { REAL_VAULT, startVaultFixture, type VaultFixture } from './vault-fixture';

let vault: VaultFixture;
// Expiry and outages need the stand-in's clock and faults, even when a real Vault is set.
let standin: VaultFixture;

beforeAll(async () => {
  vault = await startVaultFixture();
  standin = REAL_VAULT ? await startVaultFixture({ useStandin: true }) : vault;
});
afterAll(async () => {
  await vault.stop();
  if (standin !== vault) await standin.stop();
});

function input(fixture: VaultFixture, fields: Partial<IssueInput>): IssueInput {
  return {
    grantId: randomUUID(),
    tenant: fixture.tenants[0],
    technicianId: randomUUID(),
    technicianEmail: 'tech@msp.example',
    profile: readOnlyProfile,
    ttlSeconds: 600,
    ...fields,
  };
}

const lookupAccessor = (accessor: string) =>
  vault.admin.call('POST', 'auth/token/lookup-accessor', { accessor });
const lookupLease = (leaseId: string) =>
  vault.admin.call('PUT', 'sys/leases/lookup', { lease_id: leaseId });

describe('revoking credentials', () => {
  it('revokes a token by accessor, then counts a second revocation as already gone', async () => {
    const issuer = vault.services.issuers['vault-token'];
    const issued = await issuer.issue(input(vault, {}));
    const ref = { tenant: vault.tenants[0], accessor: issued.accessor };

    expect(await issuer.revoke(ref)).toBe('revoked');
    await expect(lookupAccessor(issued.accessor!)).rejects.toMatchObject({ code: 'vault.denied' });
    expect(await issuer.revoke(ref)).toBe('already_gone');
  });

  it('revokes a database lease by id, then counts a second revocation as already gone', async () => {
    const issuer = vault.services.issuers.database;
    const issued = await issuer.issue(input(vault, { profile: databaseProfile }));
    const ref = { tenant: vault.tenants[0], leaseId: issued.leaseId };

    expect(await issuer.revoke(ref)).toBe('revoked');
    await expect(lookupLease(issued.leaseId!)).rejects.toMatchObject({ code: 'vault.denied' });
    expect(await issuer.revoke(ref)).toBe('already_gone');
  });

  it('counts a revocation as already gone once Vault has let the credential expire', async () => {
    const token = await standin.services.issuers['vault-token'].issue(
      input(standin, { ttlSeconds: 60 }),
    );
    const lease = await standin.services.issuers.database.issue(
      input(standin, { profile: databaseProfile, ttlSeconds: 60 }),
    );
    standin.clock.advance(61);

    const tenant = standin.tenants[0];
    expect(
      await standin.services.issuers['vault-token'].revoke({ tenant, accessor: token.accessor }),
    ).toBe('already_gone');
    expect(await standin.services.issuers.database.revoke({ tenant, leaseId: lease.leaseId })).toBe(
      'already_gone',
    );
  });

  it('keeps failing with vault.unavailable while Vault is down, so the caller retries', async () => {
    const issued = await standin.services.issuers['vault-token'].issue(input(standin, {}));
    await standin.standin!.setFault('down');
    const ref = { tenant: standin.tenants[0], accessor: issued.accessor };
    await expect(standin.services.issuers['vault-token'].revoke(ref)).rejects.toMatchObject({
      code: 'vault.unavailable',
    });
    await standin.standin!.setFault(null);
    expect(await standin.services.issuers['vault-token'].revoke(ref)).toBe('revoked');
  });
});
