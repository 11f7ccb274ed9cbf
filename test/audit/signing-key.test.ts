import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_KEY_FILE,
  auditSigner,
  generateSigner,
  parseSigningKey,
} from '../../src/audit/signing-key';
import { testConfig } from '../support/factories';

describe('the checkpoint signing key', () => {
  it('is made once in the data folder with mode 0600 and reused', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const first = auditSigner(testConfig({ DATA_DIR: dataDir }));
    const file = join(dataDir, DEV_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A new process reads the same file: parse it afresh rather than through the cache.
    expect(parseSigningKey(readFileSync(file, 'utf8')).keyId).toBe(first.keyId);
  });

  it('reads AUDIT_SIGNING_KEY as PEM or as base64 DER', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const der = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    const fromPem = auditSigner(testConfig({ AUDIT_SIGNING_KEY: pem }));
    const fromDer = auditSigner(testConfig({ AUDIT_SIGNING_KEY: der }));
    expect(fromDer.keyId).toBe(fromPem.keyId);
    expect(fromDer.verify('statement', fromPem.sign('statement'))).toBe(true);
  });

  it('refuses a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseSigningKey(pem)).toThrow();
  });

  it('rejects a signature over another message or by another key', () => {
    const signer = generateSigner();
    const signature = signer.sign('seq 5');
    expect(signer.verify('seq 5', signature)).toBe(true);
    expect(signer.verify('seq 6', signature)).toBe(false);
    expect(generateSigner().verify('seq 5', signature)).toBe(false);
    expect(signer.verify('seq 5', 'not-a-signature')).toBe(false);
  });

  it('publishes the public key with a 16-hex-character key id', () => {
    const published = generateSigner().published();
    expect(published.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(published.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });
});
