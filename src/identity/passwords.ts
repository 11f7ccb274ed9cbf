/**
 * Password hashing with scrypt (RFC 7914) from Node's crypto module, and the
 * password rules of NIST SP 800-63B section 5.1.1.2: at least 12 characters,
 * no composition rules, refused when found in a list of common passwords.
 *
 * Parameters: N = 2^15, r = 8, p = 1, 16-byte salt, 32-byte key; about 32 MiB
 * of memory and tens of milliseconds per hash. They are stored inside each
 * hash (`scrypt$N$r$p$salt$key`), so raising them later leaves old hashes
 * readable.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { badRequest } from '../platform/errors';
import { isCommonPassword } from './common-passwords';

const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;
// Long enough for any passphrase; bounds the work one request can ask of scrypt.
const MAX_PASSWORD_LENGTH = 256;

function derive(password: string, salt: Buffer, params: typeof PARAMS): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(
      password.slice(0, MAX_PASSWORD_LENGTH).normalize('NFKC'),
      salt,
      KEY_LENGTH,
      options,
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** A salted scrypt hash of `password`, self-describing. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  const { N, r, p } = PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `password` matches `stored`; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (![params.N, params.r, params.p].every(Number.isSafeInteger)) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), params);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Checked against when the account does not exist, so that an unknown email
// costs the same scrypt work as a known one and timing does not tell them apart.
let dummyHash: Promise<string> | undefined;

/** Makes the dummy hash ahead of the first sign-in, so that one is not slower. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** Runs a full password check that always fails, for unknown accounts. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, await prepareDummyHash());
  return false;
}

/** Throws a 400 unless `password` meets the rules; says which rule failed. */
export function assertAcceptablePassword(password: string, email: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw badRequest('auth.password_too_short', `Use at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw badRequest('auth.password_too_long', `Use at most ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (isCommonPassword(password) || password.toLowerCase() === email.toLowerCase()) {
    throw badRequest('auth.password_too_common', 'This password is too common; choose another');
  }
}
