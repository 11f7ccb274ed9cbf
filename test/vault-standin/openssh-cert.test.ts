import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  caKeyObject,
  generateSshCa,
  parseCertificate,
  signUserCertificate,
} from '../../src/vault-standin/openssh-cert';

function sshEd25519PublicKey() {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return `ssh-ed25519 ${Buffer.concat([len(11), Buffer.from('ssh-ed25519'), len(32), raw]).toString('base64')}`;
}

const fields = {
  serial: 42n,
  keyId: 'jit grant=g1',
  principals: ['ubuntu', 'ops'],
  validAfter: 1_800_000_000,
  validBefore: 1_800_003_600,
  extensions: { 'permit-pty': '' },
};

describe('OpenSSH certificates', () => {
  it('round-trips the fields and carries a signature the CA key verifies', () => {
    const ca = generateSshCa();
    const cert = signUserCertificate(ca, { ...fields, publicKey: sshEd25519PublicKey() });
    const parsed = parseCertificate(cert);
    expect(parsed).toMatchObject({
      type: 'ssh-ed25519-cert-v01@openssh.com',
      serial: 42n,
      certType: 1,
      keyId: 'jit grant=g1',
      principals: ['ubuntu', 'ops'],
      validAfter: 1_800_000_000,
      validBefore: 1_800_003_600,
      extensions: ['permit-pty'],
    });

    // The signature covers everything before it: string "ssh-ed25519", string sig.
    const blob = Buffer.from(cert.split(' ')[1]!, 'base64');
    const signature = blob.subarray(blob.length - 64);
    const signed = blob.subarray(0, blob.length - 64 - 4 - 11 - 4 - 4);
    expect(verify(null, signed, caKeyObject(ca.publicKey), signature)).toBe(true);
    expect(verify(null, signed, caKeyObject(generateSshCa().publicKey), signature)).toBe(false);
  });

  it('is read by ssh-keygen, with an RSA key too', () => {
    const ca = generateSshCa();
    const dir = mkdtempSync(join(tmpdir(), 'jit-ssh-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'k')]);
      const rsa = execFileSync('cat', [join(dir, 'k.pub')]).toString();
      writeFileSync(
        join(dir, 'k-cert.pub'),
        signUserCertificate(ca, { ...fields, publicKey: rsa }),
      );
      const listing = execFileSync('ssh-keygen', ['-L', '-f', join(dir, 'k-cert.pub')]).toString();
      expect(listing).toContain('ssh-rsa-cert-v01@openssh.com user certificate');
      expect(listing).toContain('Key ID: "jit grant=g1"');
      expect(listing).toMatch(/Principals:\s+ubuntu\s+ops/);
      expect(listing).toContain('permit-pty');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key that is not OpenSSH', () => {
    expect(() =>
      signUserCertificate(generateSshCa(), { ...fields, publicKey: 'ssh-dss AAAA' }),
    ).toThrow();
  });
});
