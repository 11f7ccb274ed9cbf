/**
 * Authenticated encryption of small values at rest (AES-256-GCM), with a key
 * ring for rotation: the first key seals, any listed key opens. Each purpose
 * derives its own subkey (HKDF-SHA256), and each value is bound to its row by
 * additional data, so a ciphertext copied elsewhere does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** One key of the ring: an id kept beside each ciphertext, and 32 bytes. */
export interface RingKey {
  id: string;
  key: Buffer;
}

/** A sealed value and the id of the key that sealed it. */
export interface Sealed {
  keyId: string;
  /** `iv.tag.ciphertext`, each base64url. */
  sealed: string;
}

// Derived once per key and purpose: HKDF costs more than the AES-GCM around it.
const subkeys = new WeakMap<Buffer, Map<string, Buffer>>();

function subkey(key: Buffer, purpose: string): Buffer {
  let byPurpose = subkeys.get(key);
  if (!byPurpose) subkeys.set(key, (byPurpose = new Map()));
  let derived = byPurpose.get(purpose);
  if (!derived) {
    derived = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `jit-broker ${purpose}`, 32));
    byPurpose.set(purpose, derived);
  }
  return derived;
}

/** Seals `plaintext` for `purpose`, bound to `binding` (e.g. a row id). */
export function seal(ring: RingKey[], purpose: string, binding: string, plaintext: string): Sealed {
  const ringKey = ring[0];
  if (!ringKey) throw new Error('no encryption key configured');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', subkey(ringKey.key, purpose), iv);
  cipher.setAAD(Buffer.from(binding, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
  return { keyId: ringKey.id, sealed: parts.join('.') };
}

/** Opens a sealed value; throws when its key is gone or anything was altered. */
export function open(ring: RingKey[], purpose: string, binding: string, value: Sealed): string {
  const ringKey = ring.find((candidate) => candidate.id === value.keyId);
  if (!ringKey) throw new Error(`encryption key ${value.keyId} is not configured`);
  const [iv, tag, body] = value.sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) throw new Error('malformed sealed value');
  const decipher = createDecipheriv('aes-256-gcm', subkey(ringKey.key, purpose), iv);
  decipher.setAAD(Buffer.from(binding, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}
