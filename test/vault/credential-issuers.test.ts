import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createNodeVault from 'node-vault';
import { captureLogs } from '../support/log-capture';
import { parseCertificate } from '../../src/vault-standin/openssh-cert';
import type { AccessProfile } from '../../src/policies/access-profile';
import type { IssueInput } from '../../src/vault/credential-issuer';
import { tenantPaths } from '../../src/vault/tenant-paths';
import { databaseProfile, readOnlyProfile, sshProfile } from './profiles';
import { startVaultFixture, type VaultFixture } from './vault-fixture';

let vault: VaultFixture;

beforeAll(async () => {
  vault = await startVaultFixture();
});
afterAll(async () => {
  await vault.stop();
});

function input(tenant: string, fields: Partial<IssueInput> = {}): IssueInput {
  return {
    grantId: randomUUID(),
    tenant,
    technicianId: randomUUID(),
    technicianEmail: 'tech@msp.example',
    profile: readOnlyProfile,
    ttlSeconds: 1800,
    ...fields,
  };
}

// What a technician does with the wrapping token: a plain node-vault client.
function technicianClient(token: string, namespace?: string) {
  return createNodeVault({ endpoint: vault.addr, token, namespace, noCustomHTTPVerbs: true });
}

async function writeKv(tenant: string, name: string) {
  const { kv, namespace } = tenantPaths(vault.settings, tenant);
  await vault.admin.call(
    'POST',
    `${kv}/data/${name}`,
    { data: { value: `${tenant}-secret` } },
    { namespace },
  );
  return `${kv}/data/${name}`;
}

function publicKey() {
  const { publicKey: key } = generateKeyPairSync('ed25519');
  const der = key.export({ format: 'der', type: 'spki' }).subarray(-32);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([len(11), Buffer.from('ssh-ed25519'), len(32), der]);
  return `ssh-ed25519 ${blob.toString('base64')} tech@laptop`;
}

describe('vault-token issuer with wrapping', () => {
  it('issues a wrapped token that unwraps once and reads only its own tenant', async () => {
    const [acme, globex] = vault.tenants;
    const ownPath = await writeKv(acme, 'app');
    const otherPath = await writeKv(globex, 'app');

    const issued = await vault.services.issuers['vault-token'].issue(input(acme));
    const wrapped = await vault.services.wrap(acme, issued.secret, 300);
    expect(wrapped.ttl).toBe(300);
    expect(JSON.stringify(wrapped)).not.toContain(String(issued.secret.token));

    const unwrapped = await technicianClient(wrapped.token).unwrap();
    const token = unwrapped.data.token as string;
    expect(token).toBe(issued.secret.token);
    await expect(technicianClient(wrapped.token).unwrap()).rejects.toMatchObject({
      response: { statusCode: 400 },
    });

    const holder = technicianClient(token);
    const own = await holder.read(ownPath);
    expect(own.data.data.value).toBe(`${acme}-secret`);
    await expect(holder.read(otherPath)).rejects.toMatchObject({
      response: { statusCode: 403, body: { errors: ['permission denied'] } },
    });
  });

  it('gives the token TTL and explicit max TTL equal to the grant, not renewable, with metadata', async () => {
    const [acme] = vault.tenants;
    const request = input(acme, { ttlSeconds: 2400 });
    const issued = await vault.services.issuers['vault-token'].issue(request);

    const lookup = await vault.admin.call('POST', 'auth/token/lookup-accessor', {
      accessor: issued.accessor,
    });
    expect(lookup!.data).toMatchObject({
      creation_ttl: 2400,
      explicit_max_ttl: 2400,
      renewable: false,
      orphan: true,
      meta: { grant_id: request.grantId, tenant: acme, technician_id: request.technicianId },
    });
    expect(lookup!.data.policies).toContain(`${acme}-read-only`);
  });

  it('refuses a policy outside the tenant role with vault.denied', async () => {
    const [acme, globex] = vault.tenants;
    const foreign: AccessProfile = {
      ...readOnlyProfile,
      credential: 'vault-token',
      vault: { policies: [`${globex}-read-only`] },
    };
    await expect(
      vault.services.issuers['vault-token'].issue(input(acme, { profile: foreign })),
    ).rejects.toMatchObject({ code: 'vault.denied', status: 502 });
  });
});

describe('secrets and the log', () => {
  it('writes no credential value or wrapping token to the log, even at debug level', async () => {
    const [acme] = vault.tenants;
    const logs = captureLogs();
    try {
      const token = await vault.services.issuers['vault-token'].issue(input(acme));
      const db = await vault.services.issuers.database.issue(
        input(acme, { profile: databaseProfile }),
      );
      const wrapped = await vault.services.wrap(acme, db.secret, 60);
      await vault.services.unwrap(acme, wrapped.token);
      await expect(vault.services.unwrap(acme, wrapped.token)).rejects.toMatchObject({
        code: 'vault.denied',
      });
      const text = logs.text();
      expect(text).toContain('vault refused');
      for (const secret of [token.secret.token, db.secret.password, wrapped.token]) {
        expect(text).not.toContain(String(secret));
      }
    } finally {
      logs.stop();
    }
  });
});

describe('broker-side unwrap (parked credentials)', () => {
  it('unwraps once and answers vault.denied the second time', async () => {
    const [acme] = vault.tenants;
    const wrapped = await vault.services.wrap(acme, { note: 'parked' }, 600);
    expect(await vault.services.unwrap(acme, wrapped.token)).toEqual({ note: 'parked' });
    await expect(vault.services.unwrap(acme, wrapped.token)).rejects.toMatchObject({
      code: 'vault.denied',
      status: 502,
    });
  });
});

describe('database issuer', () => {
  it('issues credentials whose lease exists with the grant TTL', async () => {
    const [acme] = vault.tenants;
    const issued = await vault.services.issuers.database.issue(
      input(acme, { profile: databaseProfile, ttlSeconds: 900 }),
    );
    expect(issued.leaseId).toMatch(new RegExp(`^customers/${acme}/database/creds/readonly/`));
    expect(issued.secret).toMatchObject({
      username: expect.any(String),
      password: expect.any(String),
    });

    const lease = await vault.admin.call('PUT', 'sys/leases/lookup', { lease_id: issued.leaseId });
    expect(lease!.data.id).toBe(issued.leaseId);
    // Vault counts down in whole seconds between issue and lookup.
    expect(lease!.data.ttl).toBeGreaterThan(890);
    expect(lease!.data.ttl).toBeLessThanOrEqual(900);
  });
});

describe('ssh issuer', () => {
  it('signs a certificate valid exactly for the grant TTL with the profile principals', async () => {
    const [acme] = vault.tenants;
    const request = input(acme, { profile: sshProfile, ttlSeconds: 3600, publicKey: publicKey() });
    const issued = await vault.services.issuers.ssh.issue(request);

    const cert = parseCertificate(String(issued.secret.signed_key));
    expect(cert.validBefore - cert.validAfter).toBe(3600);
    expect(cert.principals).toEqual(['ubuntu', 'ops']);
    expect(cert.keyId).toContain(request.grantId);
    expect(cert.serial.toString(16)).toBe(issued.serial);

    // OpenSSH itself reads it.
    const dir = mkdtempSync(join(tmpdir(), 'jit-cert-'));
    try {
      writeFileSync(join(dir, 'id-cert.pub'), String(issued.secret.signed_key));
      const listing = execFileSync('ssh-keygen', ['-L', '-f', join(dir, 'id-cert.pub')]).toString();
      expect(listing).toContain('ssh-ed25519-cert-v01@openssh.com user certificate');
      expect(listing).toMatch(/Principals:\s+ubuntu\s+ops/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a missing public key with a 400 code before calling Vault', async () => {
    const [acme] = vault.tenants;
    await expect(
      vault.services.issuers.ssh.issue(input(acme, { profile: sshProfile, publicKey: 'nonsense' })),
    ).rejects.toMatchObject({ code: 'credential.public_key_invalid', status: 400 });
  });
});
