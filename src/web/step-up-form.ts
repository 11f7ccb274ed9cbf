/**
 * Elevated actions in the web form (elevated requests, approvals) carry a
 * fresh authenticator code in the same form, so that a manager approves in
 * one step: the code goes through the same step-up service as
 * POST /auth/step-up, the browser's session cookie gets the new token, and
 * the action runs with the fresh MFA time. Without a code the action runs as
 * it is, and the service answers `auth.step_up_required` when it needs one.
 */
import type { Request, Response } from 'express';
import { principalOf, type Principal } from '../identity/authenticate';
import type { IdentityContext } from '../identity/identity-context';
import { stepUp } from '../identity/step-up';
import { clientOf } from './form-fields';
import { COOKIES, setCookie } from './web-cookies';

/** The caller, stepped up first when `code` is given. */
export async function withFreshCode(
  ctx: IdentityContext,
  req: Request,
  res: Response,
  code: string,
): Promise<Principal> {
  const principal = principalOf(req);
  if (!code.trim()) return principal;
  const token = await stepUp(ctx, principal, code.trim(), clientOf(req));
  setCookie(res, ctx.config, COOKIES.session, token.access_token, token.expires_in);
  const fresh = { ...principal, mfaAt: new Date(token.mfa_at) };
  req.principal = fresh;
  return fresh;
}
