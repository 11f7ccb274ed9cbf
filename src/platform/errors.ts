/**
 * One error type for every refusal the broker gives. Each carries a stable
 * dotted code that clients and tests rely on, an HTTP status, a message that is
 * safe to show, and an optional internal detail that only reaches the log.
 */

/** A refusal with a stable code; mapped to HTTP in one place (http-errors.ts). */
export class AppError extends Error {
  constructor(
    /** Stable, dotted, snake_case: `request.not_pending`, `auth.mfa_required`. */
    readonly code: string,
    /** HTTP status, 4xx for the caller's fault, 5xx for ours or a dependency's. */
    readonly status: number,
    /** Safe to show to the caller. Never holds a secret or an internal detail. */
    message: string,
    /** For the operational log only; never sent to the caller. */
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400: the input is malformed or breaks a rule. */
export function badRequest(code: string, message: string, detail?: Record<string, unknown>) {
  return new AppError(code, 400, message, detail);
}

/** 401: no valid credentials. Always the same message, never saying what was wrong. */
export function unauthorized(code = 'auth.unauthenticated', message = 'Authentication required') {
  return new AppError(code, 401, message);
}

/** 403: authenticated, but not allowed to do this. */
export function forbidden(code: string, message: string) {
  return new AppError(code, 403, message);
}

/** 404: the thing does not exist, or the caller may not know that it does. */
export function notFound(code: string, message: string) {
  return new AppError(code, 404, message);
}

/** 409: the thing is not in a state that allows this. */
export function conflict(code: string, message: string, detail?: Record<string, unknown>) {
  return new AppError(code, 409, message, detail);
}
