/**
 * TOTP codes (RFC 6238) through otplib: secrets, `otpauth://` URIs, and the one
 * function that checks a code, used by sign-in, step-up, enrollment and the
 * RFC test vectors alike. Defaults are what authenticator apps expect: SHA-1,
 * 6 digits, 30-second steps, and one step of tolerance either way for clock
 * drift (RFC 6238 section 5.2).
 *
 * Checking a code says which time step it matched; the caller then claims that
 * step for the account atomically (second-factor.ts), which is what makes
 * every code usable once only.
 */
import { generateSecret, generateURI, verify } from 'otplib';

/** Issuer shown in authenticator apps. */
export const TOTP_ISSUER = 'JIT access broker';

/** Parameters of a TOTP check; defaults match authenticator apps. */
export interface TotpOptions {
  digits?: 6 | 7 | 8;
  algorithm?: 'sha1' | 'sha256' | 'sha512';
  /** Step length in seconds. */
  period?: number;
  /** Steps accepted on either side of the current one. */
  toleranceSteps?: number;
  /** The time to check at, in Unix seconds (default now). */
  epoch?: number;
  /** Refuse codes of this step or earlier (the account's last accepted step). */
  afterStep?: number | null;
}

/** A new random secret (160 bits), base32 as authenticator apps expect. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The `otpauth://totp/...` URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, accountName: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountName, secret });
}

/**
 * The time step `code` matches for `secret`, or undefined when it matches
 * none. Never throws on malformed input: anything that is not the right number
 * of digits is simply not a valid code.
 */
export async function checkTotpCode(
  secret: string | Uint8Array,
  code: string,
  options: TotpOptions = {},
): Promise<number | undefined> {
  const digits = options.digits ?? 6;
  const period = options.period ?? 30;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return undefined;
  try {
    const result = await verify({
      secret,
      token: code,
      digits,
      algorithm: options.algorithm ?? 'sha1',
      period,
      epoch: options.epoch ?? Math.floor(Date.now() / 1000),
      epochTolerance: (options.toleranceSteps ?? 1) * period,
      ...(options.afterStep != null ? { afterTimeStep: options.afterStep } : {}),
    });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  } catch {
    // otplib throws on tokens or secrets it cannot parse; for a caller that is
    // the same as a wrong code.
    return undefined;
  }
}
