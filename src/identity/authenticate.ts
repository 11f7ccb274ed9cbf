/**
 * Authentication and role checks for API routes.
 *
 * `authenticate` accepts a bearer token only when its login session is still
 * live and its technician still active: one indexed lookup per request, which
 * is what makes sign-out, disabling and offboarding take effect at once rather
 * than when the token expires.
 */
import type { RequestHandler } from 'express';
import type { Database } from '../platform/database';
import { AppError, forbidden, unauthorized } from '../platform/errors';
import type { AccessTokens } from './access-tokens';
import type { Role } from './roles';

/** Who is calling, as established by `authenticate`. */
export interface Principal {
  technicianId: string;
  email: string;
  role: Role;
  /** For a customer's auditor: the one tenant they may read. */
  auditorTenant: string | null;
  sessionId: string;
  /** When this token's holder last passed an MFA check. */
  mfaAt: Date;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `authenticate`; absent on public routes. */
    principal?: Principal;
  }
}

/** Reads the bearer token from the Authorization header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
  return match?.[1];
}

/** Resolves a token to a live principal, or undefined. */
export async function principalFor(
  db: Database,
  tokens: AccessTokens,
  token: string,
): Promise<Principal | undefined> {
  const claims = tokens.verify(token);
  if (!claims) return undefined;
  const row = await db('login_sessions as s')
    .join('technicians as t', 't.id', 's.technician_id')
    .where('s.id', claims.sid)
    .andWhere('t.id', claims.sub)
    .whereNull('s.ended_at')
    .andWhere('s.expires_at', '>', db.fn.now())
    .andWhere('t.status', 'active')
    .first('t.id', 't.email', 't.role', 't.auditor_tenant', 's.id as session_id');
  if (!row) return undefined;
  return {
    technicianId: row.id,
    email: row.email,
    role: row.role,
    auditorTenant: row.auditor_tenant,
    sessionId: row.session_id,
    mfaAt: new Date(claims.mfa * 1000),
  };
}

/** Middleware: refuses with 401 unless a valid, live access token is presented. */
export function authenticate(db: Database, tokens: AccessTokens): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    const principal = token ? await principalFor(db, tokens, token) : undefined;
    if (!principal) return next(unauthorized());
    req.principal = principal;
    next();
  };
}

/** The authenticated principal of a request; throws 401 on a public route. */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

/** Middleware: refuses with 403 unless the caller holds one of `roles`. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const principal = principalOf(req);
    if (!roles.includes(principal.role)) {
      return next(forbidden('auth.forbidden_role', 'Your role may not do this'));
    }
    next();
  };
}

/**
 * Throws `auth.step_up_required` (403) unless the caller passed MFA within
 * `maxAgeSeconds`; the client answers by calling /auth/step-up with a code.
 */
export function assertFreshMfa(principal: Principal, maxAgeSeconds: number, now = new Date()) {
  if (now.getTime() - principal.mfaAt.getTime() > maxAgeSeconds * 1000) {
    throw new AppError(
      'auth.step_up_required',
      403,
      'This action needs a fresh MFA code: step up and try again',
    );
  }
}
