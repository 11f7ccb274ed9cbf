/**
 * Telling "Vault no longer knows it" apart from other refusals, so that a
 * revocation retried after success, or after expiry, counts as done
 * (DESIGN.md invariant 7) while a real refusal keeps being retried.
 */
import { AppError } from '../platform/errors';

// Vault's words for an unknown or expired accessor, token or lease (400 answers).
const GONE = /invalid accessor|invalid token|invalid lease|not found|does not exist/i;

/** Whether a vault.denied error says the token or lease is already gone. */
export function isAlreadyGone(error: unknown): boolean {
  if (!(error instanceof AppError) || error.code !== 'vault.denied') return false;
  const status = error.detail?.vault_status;
  const messages = (error.detail?.vault_errors as string[] | undefined) ?? [];
  if (status === 404) return true;
  return status === 400 && messages.some((m) => GONE.test(m));
}
