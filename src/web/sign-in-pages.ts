/**
 * Sign-in and sign-out pages. The two steps call the same services as
 * POST /auth/login and /auth/mfa; between them the MFA challenge waits in a
 * short-lived HttpOnly cookie, and after them the access token does.
 */
import { Router, type RequestHandler } from 'express';
import { parseInput } from '../access/parse-input';
import { loginBody, mfaBody } from '../identity/auth-inputs';
import { principalOf } from '../identity/authenticate';
import type { IdentityContext } from '../identity/identity-context';
import { signOut } from '../identity/login-sessions';
import { checkPassword, completeSignIn } from '../identity/sign-in';
import { clientOf, formFields } from './form-fields';
import { clearCookie, COOKIES, readCookie, setCookie } from './web-cookies';
import { renderRefusal } from './web-errors';
import type { PageRenderer } from './web-page';

/** Where each role lands after signing in. */
export function homeOf(role: string | undefined): string {
  if (role === 'auditor') return '/audit';
  if (role === 'admin') return '/admin';
  return '/access';
}

/** GET/POST /sign-in, /sign-in/code, POST /sign-out. */
export function signInPages(
  ctx: IdentityContext,
  pages: PageRenderer,
  posted: RequestHandler[],
  limiter: RequestHandler,
): Router {
  const { config } = ctx;
  const router = Router();

  router.get('/', (req, res) => {
    res.redirect(303, req.principal ? homeOf(req.principal.role) : '/sign-in');
  });

  router.get('/sign-in', (req, res) => {
    if (req.principal) return res.redirect(303, homeOf(req.principal.role));
    pages.render(req, res, 'sign-in.njk');
  });

  router.post('/sign-in', limiter, ...posted, async (req, res) => {
    const { email, password } = formFields(req, ['email', 'password'] as const);
    try {
      const input = parseInput(loginBody, { email, password }, 'auth.invalid_input');
      const { challenge, expires_in } = await checkPassword(
        ctx,
        input.email,
        input.password,
        clientOf(req),
      );
      setCookie(res, config, COOKIES.challenge, challenge, expires_in);
      res.redirect(303, '/sign-in/code');
    } catch (error) {
      renderRefusal(pages, req, res, error, 'sign-in.njk', { email });
    }
  });

  router.get('/sign-in/code', (req, res) => {
    if (!readCookie(req, COOKIES.challenge)) return res.redirect(303, '/sign-in');
    pages.render(req, res, 'sign-in-code.njk');
  });

  router.post('/sign-in/code', limiter, ...posted, async (req, res) => {
    const { code } = formFields(req, ['code'] as const);
    const challenge = readCookie(req, COOKIES.challenge) ?? '';
    // The challenge is spent by the attempt, whatever its outcome.
    clearCookie(res, config, COOKIES.challenge);
    try {
      const input = parseInput(mfaBody, { challenge, code: code.trim() }, 'auth.invalid_input');
      const token = await completeSignIn(ctx, input.challenge, input.code, clientOf(req));
      setCookie(res, config, COOKIES.session, token.access_token, token.expires_in);
      // The home page sends each role on to its own first page.
      res.redirect(303, '/');
    } catch (error) {
      renderRefusal(pages, req, res, error, 'sign-in.njk');
    }
  });

  router.post('/sign-out', ...posted, async (req, res) => {
    if (req.principal) {
      const principal = principalOf(req);
      await signOut(ctx, principal.technicianId, principal.sessionId);
    }
    clearCookie(res, config, COOKIES.session);
    res.redirect(303, '/sign-in?notice=signed-out');
  });

  return router;
}
