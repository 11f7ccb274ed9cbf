/**
 * Random bearer secrets (enrollment tokens, sign-in challenges) and how they
 * are kept: only a SHA-256 digest is stored, so a database leak reveals no
 * usable token. A slow hash is not needed here because each token carries
 * 256 random bits, far beyond guessing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh 256-bit secret, URL-safe. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The digest under which a secret is stored and looked up. */
export function digestSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings of any length. */
export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right);
}
