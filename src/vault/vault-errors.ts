/**
 * Vault failures as the broker's errors. Two codes only reach callers:
 * `vault.unavailable` (503: Vault cannot be reached, timed out, is sealed or
 * failed inside) and `vault.denied` (502: Vault answered and refused). What
 * Vault said stays in the operational log, never in the answer.
 */
import { AppError } from '../platform/errors';
import { logger } from '../platform/logger';

// Node and axios codes for "nobody answered": refused, reset, timed out, no route.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** The HTTP status Vault answered with, or undefined when it did not answer. */
export function vaultStatus(error: unknown): number | undefined {
  const response = (error as { response?: { statusCode?: unknown } } | null)?.response;
  return typeof response?.statusCode === 'number' ? response.statusCode : undefined;
}

/** The `errors` Vault gave, for the log and for telling "already gone" apart. */
export function vaultMessages(error: unknown): string[] {
  const body = (error as { response?: { body?: { errors?: unknown } } } | null)?.response?.body;
  return Array.isArray(body?.errors) ? body.errors.map(String) : [];
}

/** Whether Vault could not be reached or failed on its side. */
export function isUnavailable(error: unknown): boolean {
  const status = vaultStatus(error);
  if (status !== undefined) return status >= 500;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/**
 * Maps a node-vault failure to an AppError and logs the detail once.
 * `operation` names what the broker was doing (`token.create`), never a secret.
 */
export function toVaultAppError(error: unknown, operation: string, path: string): AppError {
  if (error instanceof AppError) return error;
  const status = vaultStatus(error);
  const detail = {
    operation,
    path,
    vault_status: status,
    vault_errors: vaultMessages(error),
    error_code: (error as { code?: unknown } | null)?.code,
  };
  if (isUnavailable(error)) {
    logger.warn('vault unavailable', detail);
    return new AppError(
      'vault.unavailable',
      503,
      'Vault is unavailable; try again shortly',
      detail,
    );
  }
  logger.warn('vault refused', detail);
  return new AppError('vault.denied', 502, 'Vault refused the operation', detail);
}
