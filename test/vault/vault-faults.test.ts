/**
 * Vault failures as the broker reports them, through the stand-in's fault
 * injection (so these run against the stand-in even when a real Vault is set).
 */
import { randomUUID } from 'node:crypto';
import { captureLogs } from '../support/log-capture';
import type { AccessProfile } from '../../src/policies/access-profile';
import type { StandinFault } from '../../src/vault-standin/standin-server';
import type { IssueInput } from '../../src/vault/credential-issuer';
import { readOnlyProfile } from './profiles';
import { startVaultFixture, type VaultFixture } from './vault-fixture';

let vault: VaultFixture;

beforeAll(async () => {
  vault = await startVaultFixture({ useStandin: true, timeoutMs: 500 });
});
afterAll(async () => {
  await vault.stop();
});
afterEach(async () => {
  await vault.standin!.setFault(null);
});

function input(tenant: string): IssueInput {
  return {
    grantId: randomUUID(),
    tenant,
    technicianId: randomUUID(),
    technicianEmail: 'tech@msp.example',
    profile: readOnlyProfile,
    ttlSeconds: 600,
  };
}

const issue = () => vault.services.issuers['vault-token'].issue(input(vault.tenants[0]));

describe('Vault faults', () => {
  it.each([
    ['down', 'connection refused'],
    ['slow', 'a timeout'],
    ['error', 'a 500 answer'],
    ['sealed', 'a sealed Vault'],
  ] as [StandinFault, string][])(
    'answers vault.unavailable (503) when Vault is %s (%s)',
    async (fault) => {
      await vault.standin!.setFault(fault);
      await expect(issue()).rejects.toMatchObject({ code: 'vault.unavailable', status: 503 });
    },
  );

  it('works again on the next call once Vault is back, without a restart', async () => {
    await vault.standin!.setFault('down');
    await expect(issue()).rejects.toMatchObject({ code: 'vault.unavailable' });
    expect(await vault.services.ready().catch(() => false)).toBe(false);

    await vault.standin!.setFault(null);
    const issued = await issue();
    expect(issued.accessor).toEqual(expect.any(String));
    expect(await vault.services.ready()).toBe(true);
  });

  it('logs in again when its own token lapsed during a long outage', async () => {
    await issue();
    // The broker's periodic AppRole token (1h) lapses while nobody renews it.
    vault.clock.advance(2 * 3600);
    const issued = await issue();
    expect(issued.accessor).toEqual(expect.any(String));
  });

  it('answers vault.denied (502) on a refusal, with Vault details in the log only', async () => {
    const logs = captureLogs();
    try {
      const unknownRole: AccessProfile = {
        ...readOnlyProfile,
        credential: 'vault-token',
        vault: { policies: ['no-such-policy'] },
      };
      const error = await vault.services.issuers['vault-token']
        .issue({ ...input(vault.tenants[0]), profile: unknownRole })
        .then(
          () => ({ code: 'none', status: 0, message: '' }),
          (e: unknown) => e as { code: string; status: number; message: string },
        );
      expect(error).toMatchObject({ code: 'vault.denied', status: 502 });
      expect(error.message).not.toContain('no-such-policy');
      expect(logs.text()).toContain('no-such-policy');
    } finally {
      logs.stop();
    }
  });

  it('says not ready while Vault is sealed', async () => {
    await vault.standin!.setFault('sealed');
    expect(await vault.services.ready()).toBe(false);
  });
});
