/**
 * Enrollment pages: the admin's one-time token and a new password, then the
 * QR code and a first code, then the recovery codes, shown once. The same
 * services as POST /auth/enroll and /auth/enroll/confirm; between the two
 * steps the enrollment token waits in a short-lived HttpOnly cookie rather
 * than in the page.
 */
import { Router, type RequestHandler } from 'express';
import { parseInput } from '../access/parse-input';
import { confirmBody, enrollBody } from '../identity/auth-inputs';
import { beginEnrollment, confirmEnrollment } from '../identity/enrollment';
import type { IdentityContext } from '../identity/identity-context';
import { clientOf, formFields } from './form-fields';
import { clearCookie, COOKIES, readCookie, setCookie } from './web-cookies';
import { renderRefusal } from './web-errors';
import type { PageRenderer } from './web-page';

// Time to scan the QR code and type a first code.
const CONFIRM_WINDOW = 900;

/** GET/POST /enroll, POST /enroll/confirm. */
export function enrollmentPages(
  ctx: IdentityContext,
  pages: PageRenderer,
  posted: RequestHandler[],
  limiter: RequestHandler,
): Router {
  const { config } = ctx;
  const router = Router();

  // An admin may hand out a link /enroll?token=...; the token fills the form.
  router.get('/enroll', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    pages.render(req, res, 'enroll.njk', { token });
  });

  router.post('/enroll', limiter, ...posted, async (req, res) => {
    const { token, password } = formFields(req, ['token', 'password'] as const);
    try {
      const input = parseInput(
        enrollBody,
        { enrollment_token: token.trim(), password },
        'auth.invalid_input',
      );
      const secret = await beginEnrollment(ctx, input.enrollment_token, input.password);
      setCookie(res, config, COOKIES.enrollment, input.enrollment_token, CONFIRM_WINDOW);
      pages.render(req, res, 'enroll-confirm.njk', {
        qrCode: secret.qr_code,
        otpauthUri: secret.otpauth_uri,
      });
    } catch (error) {
      renderRefusal(pages, req, res, error, 'enroll.njk', { token });
    }
  });

  router.post('/enroll/confirm', limiter, ...posted, async (req, res) => {
    const { code } = formFields(req, ['code'] as const);
    const token = readCookie(req, COOKIES.enrollment) ?? '';
    try {
      const input = parseInput(
        confirmBody,
        { enrollment_token: token, code: code.trim() },
        'auth.invalid_input',
      );
      const recoveryCodes = await confirmEnrollment(
        ctx,
        input.enrollment_token,
        input.code,
        clientOf(req),
      );
      clearCookie(res, config, COOKIES.enrollment);
      pages.render(req, res, 'enroll-done.njk', { recoveryCodes });
    } catch (error) {
      // A wrong code may be retried while the token lasts; the QR code is not
      // shown again (the secret is sealed), the authenticator has it already.
      renderRefusal(pages, req, res, error, token ? 'enroll-confirm.njk' : 'enroll.njk');
    }
  });

  return router;
}
