/**
 * The Ed25519 key that signs audit checkpoints. Production reads it from
 * AUDIT_SIGNING_KEY (PKCS#8, PEM or base64 DER); development and tests make one
 * once and keep it in the data folder (mode 0600), so that checkpoints signed
 * yesterday still verify today.
 *
 * The public half is published with a key id (first 16 hex characters of the
 * SHA-256 of the raw 32-byte public key) so that a customer can pin it.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../platform/config';

/** File name of the development key inside DATA_DIR. */
export const DEV_KEY_FILE = 'audit-signing-key.pem';

/** The published half of the signing key. */
export interface AuditPublicKey {
  key_id: string;
  algorithm: 'Ed25519';
  /** SubjectPublicKeyInfo, PEM. */
  pem: string;
}

/** Signs and checks checkpoint statements with one Ed25519 key. */
export class AuditSigner {
  readonly keyId: string;
  readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error('AUDIT_SIGNING_KEY must be an Ed25519 private key');
    }
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** Base64 Ed25519 signature over `message`. */
  sign(message: string): string {
    return sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64');
  }

  /** Whether `signature` (base64) is this key's signature over `message`. */
  verify(message: string, signature: string): boolean {
    return verifyWith(this.publicKey, message, signature);
  }

  /** The public key as published at GET /audit/public-key. */
  published(): AuditPublicKey {
    const pem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    return { key_id: this.keyId, algorithm: 'Ed25519', pem };
  }
}

/** Key id of an Ed25519 public key: SHA-256 of the raw key, hex, first 16 characters. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/** Whether `signature` (base64) by `publicKey` covers `message`. */
export function verifyWith(publicKey: KeyObject, message: string, signature: string): boolean {
  const bytes = Buffer.from(signature, 'base64');
  // Ed25519 signatures are 64 bytes; anything else is not worth asking OpenSSL about.
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(message, 'utf8'), publicKey, bytes);
}

/** Reads a PKCS#8 Ed25519 private key from PEM text or base64 DER. */
export function parseSigningKey(text: string): AuditSigner {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPrivateKey({ key: trimmed, format: 'pem' })
    : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  return new AuditSigner(key);
}

/** A fresh key pair, for tests and the first development start. */
export function generateSigner(): AuditSigner {
  return new AuditSigner(generateKeyPairSync('ed25519').privateKey);
}

const loaded = new Map<string, AuditSigner>();

/**
 * The broker's signer from its configuration. Outside production, without
 * AUDIT_SIGNING_KEY, the key lives in `<DATA_DIR>/audit-signing-key.pem`,
 * made on first use. Loaded lazily and once per source, so that building an
 * app never touches the disk unless the audit log is used.
 */
export function auditSigner(config: Config): AuditSigner {
  const source = config.auditSigningKey ?? `file:${join(config.dataDir, DEV_KEY_FILE)}`;
  const known = loaded.get(source);
  if (known) return known;

  let signer: AuditSigner;
  if (config.auditSigningKey) signer = parseSigningKey(config.auditSigningKey);
  else if (config.env === 'production') throw new Error('AUDIT_SIGNING_KEY is required');
  else signer = developmentSigner(config.dataDir);
  loaded.set(source, signer);
  return signer;
}

function developmentSigner(dataDir: string): AuditSigner {
  const file = join(dataDir, DEV_KEY_FILE);
  if (existsSync(file)) return parseSigningKey(readFileSync(file, 'utf8'));
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx' fails if another process wrote the key first; then use theirs.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseSigningKey(readFileSync(file, 'utf8'));
  }
  return new AuditSigner(privateKey);
}
