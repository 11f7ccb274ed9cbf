/**
 * /auth and /me. The public part (sign-in and enrollment) is mounted before
 * `authenticate`; the rest after it. Handlers validate, call one service, and
 * respond; sign-in's two steps run through passport (passport-strategies.ts).
 */
import { Router, type RequestHandler } from 'express';
import { validateInput } from './validate-input';
import type { Database } from '../platform/database';
import { notFound } from '../platform/errors';
import { confirmBody, enrollBody, stepUpBody } from './auth-inputs';
import { principalOf } from './authenticate';
import { beginEnrollment, confirmEnrollment } from './enrollment';
import type { IdentityContext } from './identity-context';
import { signOut } from './login-sessions';
import { clientOf, respondWith, signInPassport } from './passport-strategies';
import { refresh, stepUp } from './step-up';

/** Routes anyone may call: sign-in and enrollment, behind the rate limit. */
export function publicAuthRoutes(ctx: IdentityContext, limiter: RequestHandler): Router {
  const router = Router();
  const passport = signInPassport(ctx);

  router.post('/auth/login', limiter, respondWith(passport, 'password'));
  router.post('/auth/mfa', limiter, respondWith(passport, 'totp'));

  router.post('/auth/enroll', limiter, async (req, res) => {
    const input = validateInput(enrollBody, req.body, 'auth.invalid_input');
    res.json(await beginEnrollment(ctx, input.enrollment_token, input.password));
  });

  router.post('/auth/enroll/confirm', limiter, async (req, res) => {
    const input = validateInput(confirmBody, req.body, 'auth.invalid_input');
    const codes = await confirmEnrollment(ctx, input.enrollment_token, input.code, clientOf(req));
    res.json({ recovery_codes: codes });
  });

  return router;
}

/** Routes for a signed-in technician: step-up, refresh, sign-out, who am I. */
export function sessionRoutes(ctx: IdentityContext, limiter: RequestHandler): Router {
  const router = Router();

  router.post('/auth/step-up', limiter, async (req, res) => {
    const input = validateInput(stepUpBody, req.body, 'auth.invalid_input');
    res.json(await stepUp(ctx, principalOf(req), input.code, clientOf(req)));
  });

  router.post('/auth/refresh', (req, res) => {
    res.json(refresh(ctx, principalOf(req)));
  });

  router.post('/auth/logout', async (req, res) => {
    const principal = principalOf(req);
    await signOut(ctx, principal.technicianId, principal.sessionId);
    res.status(204).end();
  });

  router.get('/me', async (req, res) => {
    res.json(await whoAmI(ctx.db, principalOf(req)));
  });

  return router;
}

async function whoAmI(db: Database, principal: ReturnType<typeof principalOf>) {
  const row = await db('technicians').where({ id: principal.technicianId }).first('display_name');
  if (!row) throw notFound('technician.not_found', 'No such technician');
  return {
    id: principal.technicianId,
    email: principal.email,
    display_name: row.display_name,
    role: principal.role,
    auditor_tenant: principal.auditorTenant,
    session_id: principal.sessionId,
    mfa_at: principal.mfaAt.toISOString(),
  };
}
