/**
 * Liveness and readiness. /healthz says the process answers; /readyz says its
 * dependencies do, naming each that failed, so a load balancer stops sending
 * traffic to a copy that cannot serve it.
 */
import { Router } from 'express';

/** A dependency check: resolves true when the dependency can serve. */
export type ReadinessCheck = () => Promise<boolean>;

/** Routes for /healthz and /readyz over the given named checks. */
export function healthRoutes(checks: Record<string, ReadinessCheck>): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => checks[name]!().catch(() => false)));
    const failed = names.filter((_, i) => !results[i]);
    const body = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'failed']));
    if (failed.length > 0) {
      res.status(503).json({
        status: 'unavailable',
        checks: body,
        error: { code: 'service.not_ready', message: `Not ready: ${failed.join(', ')}` },
      });
      return;
    }
    res.json({ status: 'ok', checks: body });
  });

  return router;
}
