/**
 * CSRF protection for the web form: a synchronizer token bound to the login
 * session (OWASP CSRF Prevention Cheat Sheet, "HMAC-based token"). The token
 * is HMAC-SHA256 over the login session id, so it needs no storage, differs
 * for every session, and dies with it. Before sign-in (sign-in and enrollment
 * forms, which login CSRF would otherwise abuse) it binds to a random visitor
 * cookie instead. Every form carries it in the `_csrf` field; the check
 * compares in constant time and refuses with 403 `web.csrf_invalid`.
 *
 * SameSite=Strict cookies already stop cross-site posts in current browsers;
 * the token is the second wall, for older browsers and same-site attackers.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../platform/config';
import { AppError } from '../platform/errors';
import { COOKIES, readCookie, setCookie } from './web-cookies';

/** The form field carrying the token. */
export const CSRF_FIELD = '_csrf';

// A visitor id lives as long as a sign-in may reasonably take.
const VISITOR_TTL = 3600;

/** Derives and checks CSRF tokens with a key of their own. */
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(private readonly config: Pick<Config, 'jwt' | 'env'>) {
    // Derived from the token-signing key with HKDF (RFC 5869), so that every
    // broker process behind a balancer agrees without one more secret to
    // deploy, and a CSRF token can never pass for anything else.
    const { secret, keyFile } = config.jwt;
    const material = keyFile ? readFileSync(keyFile) : Buffer.from(secret ?? '', 'utf8');
    if (material.length === 0) throw new Error('JWT_SECRET or JWT_KEY_FILE must be set');
    this.key = Buffer.from(hkdfSync('sha256', material, '', 'jit-broker web csrf', 32));
  }

  /** The token for a binding (`session:<id>` or `visitor:<id>`). */
  tokenFor(binding: string): string {
    return createHmac('sha256', this.key).update(binding).digest('base64url');
  }

  /** True when `token` is the token for `binding`; constant time. */
  matches(binding: string, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(this.tokenFor(binding));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The binding of this request: the login session when signed in, else the
   * visitor cookie, created here when missing (so call it while rendering).
   */
  bindingOf(req: Request, res: Response): string {
    if (req.principal) return `session:${req.principal.sessionId}`;
    let visitor = readCookie(req, COOKIES.visitor);
    if (!visitor || !/^[A-Za-z0-9_-]{22,64}$/.test(visitor)) {
      visitor = randomBytes(24).toString('base64url');
      setCookie(res, this.config, COOKIES.visitor, visitor, VISITOR_TTL);
      req.cookies = { ...req.cookies, [COOKIES.visitor]: visitor };
    }
    return `visitor:${visitor}`;
  }

  /** Middleware for every form post: refuses unless `_csrf` matches this request's binding. */
  verify(): RequestHandler {
    return (req, _res, next) => {
      const binding = req.principal
        ? `session:${req.principal.sessionId}`
        : `visitor:${readCookie(req, COOKIES.visitor) ?? ''}`;
      const token: unknown = req.body?.[CSRF_FIELD];
      if (binding.endsWith(':') || !this.matches(binding, token)) {
        return next(
          new AppError('web.csrf_invalid', 403, 'This form has expired or did not come from us'),
        );
      }
      next();
    };
  }
}
