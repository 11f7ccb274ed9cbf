/**
 * Per-address rate limit on sign-in, enrollment and step-up, on top of the
 * per-account lockout: lockout stops guessing at one account, this stops one
 * address from spraying many accounts.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../platform/config';
import { AppError } from '../platform/errors';

/** One limiter shared by every route it guards, counting per client address. */
export function authRateLimit(
  config: Pick<Config, 'authRateLimit' | 'authRateWindow'>,
): RequestHandler {
  // LIMITATION: counts are kept in this process's memory. Several broker
  // copies behind a load balancer each count separately, so an address gets
  // the limit once per copy; the per-account lockout, kept in PostgreSQL,
  // still holds across copies.
  return rateLimit({
    windowMs: config.authRateWindow * 1000,
    limit: config.authRateLimit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(new AppError('auth.rate_limited', 429, 'Too many attempts; wait and try again')),
  });
}
