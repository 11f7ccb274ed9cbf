/**
 * Everything identity mounts on the API router, in two parts so that app.ts
 * can place them either side of `authenticate`. They share one rate limiter.
 */
import type { Router } from 'express';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import type { AccessTokens } from './access-tokens';
import { authRateLimit } from './auth-rate-limit';
import { prepareDummyHash } from './passwords';
import { publicAuthRoutes, sessionRoutes } from './auth-routes';
import { technicianRoutes } from './technician-routes';

/** The public and the authenticated identity routers of one app. */
export function identityRoutes(deps: { db: Database; config: Config; tokens: AccessTokens }): {
  public: Router;
  authenticated: Router[];
} {
  const limiter = authRateLimit(deps.config);
  void prepareDummyHash();
  return {
    public: publicAuthRoutes(deps, limiter),
    authenticated: [sessionRoutes(deps, limiter), technicianRoutes(deps)],
  };
}
