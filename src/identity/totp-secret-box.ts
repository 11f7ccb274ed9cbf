/**
 * TOTP secrets at rest: AES-256-GCM with a key from TOTP_ENCRYPTION_KEY. The
 * key id is stored beside the ciphertext (technicians.totp_key_id), so that a
 * new key can be put first in the list while the old ones still decrypt. The
 * technician id is bound in as additional data: a ciphertext copied onto
 * another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Config } from '../platform/config';

/** An encrypted secret and the id of the key that encrypted it. */
export interface SealedSecret {
  keyId: string;
  /** `iv.tag.ciphertext`, each base64url. */
  sealed: string;
}

/** Encrypts with the first configured key. */
export function sealTotpSecret(
  keys: Config['totpKeys'],
  technicianId: string,
  secret: string,
): SealedSecret {
  const key = keys[0];
  if (!key) throw new Error('no TOTP encryption key configured');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(technicianId, 'utf8'));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
  return { keyId: key.id, sealed: parts.join('.') };
}

/** Decrypts with the key named by `keyId`; throws if it is gone or the data altered. */
export function openTotpSecret(
  keys: Config['totpKeys'],
  technicianId: string,
  { keyId, sealed }: SealedSecret,
): string {
  const key = keys.find((candidate) => candidate.id === keyId);
  if (!key) throw new Error(`TOTP encryption key ${keyId} is not configured`);
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed sealed TOTP secret');
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAAD(Buffer.from(technicianId, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
