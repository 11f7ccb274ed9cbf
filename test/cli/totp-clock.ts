/**
 * TOTP codes for end-to-end tests, computed by Debian's `oathtool` rather than
 * the broker's own library, so that a shared mistake cannot hide. A code is
 * accepted once per account: a second code for the same account waits for the
 * next 30-second step (RFC 6238).
 */
import { execFileSync } from 'node:child_process';

const STEP_SECONDS = 30;

/** The current TOTP time step. */
export function currentStep(): number {
  return Math.floor(Date.now() / 1000 / STEP_SECONDS);
}

/** The 6-digit code of the current step for a base32 secret. */
export function totp(secret: string): string {
  return execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
}

/** Resolves once the clock has reached `step` (at once when it already has). */
export async function reachStep(step: number): Promise<number> {
  while (currentStep() < step) {
    const wait = step * STEP_SECONDS * 1000 - Date.now() + 50;
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, wait)));
  }
  return currentStep();
}

/** The base32 secret inside an `otpauth://totp/...?secret=...` URI. */
export function secretOf(otpauthUri: string): string {
  const secret = new URL(otpauthUri).searchParams.get('secret');
  if (!secret) throw new Error('the otpauth URI has no secret');
  return secret;
}
