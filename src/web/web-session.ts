/**
 * The signed-in state of the web form: the access token in an HttpOnly
 * cookie, resolved with the same `principalFor` the API's bearer check uses,
 * so sign-out, disabling and offboarding end a browser session at once too.
 *
 * Access tokens are short-lived (ACCESS_TOKEN_TTL); each page served to a
 * signed-in browser re-issues the token for the same login session, with the
 * MFA time unchanged. The login session's own end (LOGIN_SESSION_TTL,
 * sign-out) still bounds it: an ended session refuses every token.
 */
import type { RequestHandler, Response } from 'express';
import type { AccessTokens } from '../identity/access-tokens';
import { principalFor, type Principal } from '../identity/authenticate';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { clearCookie, COOKIES, readCookie, setCookie } from './web-cookies';

/** Stores a fresh token for `principal` in the session cookie. */
export function storeSession(
  res: Response,
  config: Config,
  tokens: AccessTokens,
  principal: Pick<Principal, 'technicianId' | 'sessionId' | 'mfaAt'>,
) {
  const token = tokens.sign({
    sub: principal.technicianId,
    sid: principal.sessionId,
    mfa: Math.floor(principal.mfaAt.getTime() / 1000),
  });
  setCookie(res, config, COOKIES.session, token, tokens.ttl);
}

/** Middleware: sets `req.principal` from the session cookie when it is live. */
export function webSession(config: Config, db: Database, tokens: AccessTokens): RequestHandler {
  return async (req, res, next) => {
    const token = readCookie(req, COOKIES.session);
    if (!token) return next();
    const principal = await principalFor(db, tokens, token);
    if (!principal) {
      clearCookie(res, config, COOKIES.session);
      return next();
    }
    req.principal = principal;
    // Page views slide the token; posts end in a redirect to a page anyway.
    if (req.method === 'GET') storeSession(res, config, tokens, principal);
    next();
  };
}

/** Middleware: sends visitors who are not signed in to the sign-in page. */
export const requireSignIn: RequestHandler = (req, res, next) => {
  if (!req.principal) return res.redirect(303, '/sign-in');
  next();
};
