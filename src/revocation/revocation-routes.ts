/**
 * The authenticated revocation routes in one router: manual revoke,
 * emergency revoke-all, and the admin metrics. Mounted after authentication.
 */
import { Router } from 'express';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { emergencyRoutes } from './emergency-routes';
import { metricsRoutes } from './metrics-routes';
import { revokeRoutes } from './revoke-routes';

/** Revoke, emergency and metrics routes. */
export function revocationRoutes(deps: { db: Database; config: Config }): Router {
  const { db, config } = deps;
  const router = Router();
  router.use(revokeRoutes({ db }));
  router.use(emergencyRoutes({ db, stepUpMaxAge: config.stepUpMaxAge }));
  router.use(metricsRoutes({ db, overdueAfter: config.revocation.overdueAfter }));
  return router;
}
