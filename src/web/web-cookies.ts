/**
 * The web form's cookies. All are HttpOnly (no script can read them; the pages
 * have no script anyway), SameSite=Strict (never sent on a cross-site request,
 * the first wall against CSRF) and Path=/; Secure everywhere except in
 * development and tests, which run on plain http://localhost.
 */
import type { CookieOptions, Request, Response } from 'express';
import type { Config } from '../platform/config';

/** Cookie names. */
export const COOKIES = {
  /** The access token of the signed-in technician. */
  session: 'jit_session',
  /** The MFA challenge between the password step and the code step. */
  challenge: 'jit_challenge',
  /** The enrollment token between setting the password and confirming a code. */
  enrollment: 'jit_enrollment',
  /** A random id that binds CSRF tokens of visitors not yet signed in. */
  visitor: 'jit_visitor',
} as const;

/** A cookie name. */
export type CookieName = (typeof COOKIES)[keyof typeof COOKIES];

/** The options every web cookie is set with; `maxAgeSeconds` bounds its life. */
export function cookieOptions(config: Pick<Config, 'env'>, maxAgeSeconds: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: config.env === 'production',
    maxAge: maxAgeSeconds * 1000,
  };
}

/** Sets a web cookie. */
export function setCookie(
  res: Response,
  config: Pick<Config, 'env'>,
  name: CookieName,
  value: string,
  maxAgeSeconds: number,
) {
  res.cookie(name, value, cookieOptions(config, maxAgeSeconds));
}

/** Removes a web cookie (same attributes, or browsers keep it). */
export function clearCookie(res: Response, config: Pick<Config, 'env'>, name: CookieName) {
  const { httpOnly, sameSite, path, secure } = cookieOptions(config, 0);
  res.clearCookie(name, { httpOnly, sameSite, path, secure });
}

/** A cookie's value, when present and a plain string. */
export function readCookie(req: Request, name: CookieName): string | undefined {
  const value: unknown = req.cookies?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
