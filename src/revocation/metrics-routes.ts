/**
 * Revocation metrics in the Prometheus text format (version 0.0.4):
 * `GET /api/v1/metrics` for admins, and `GET /metrics` without
 * authentication when METRICS_PUBLIC=true, for a scraper on a private network
 * (Prometheus cannot pass a TOTP sign-in). The gauges are read from the
 * database at each scrape, so every broker process reports the same numbers.
 */
import { Router, type RequestHandler } from 'express';
import { requireRole } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { overdueWarningsLogged, revocationCounts } from './revocation-overdue';

/** Answers the metrics text. */
export function metricsHandler(deps: { db: Database; overdueAfter: number }): RequestHandler {
  return async (_req, res) => {
    const counts = await revocationCounts(deps.db, deps.overdueAfter);
    const lines = [
      '# HELP jit_revocations_pending Grants marked for revocation that Vault has not confirmed.',
      '# TYPE jit_revocations_pending gauge',
      `jit_revocations_pending ${counts.pending}`,
      `# HELP jit_revocations_overdue Pending revocations older than ${deps.overdueAfter} seconds.`,
      '# TYPE jit_revocations_overdue gauge',
      `jit_revocations_overdue ${counts.overdue}`,
      '# HELP jit_revocation_overdue_warnings_total Overdue warnings logged by this process.',
      '# TYPE jit_revocation_overdue_warnings_total counter',
      `jit_revocation_overdue_warnings_total ${overdueWarningsLogged()}`,
    ];
    res.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  };
}

/** The admin-only metrics route, mounted after authentication. */
export function metricsRoutes(deps: { db: Database; overdueAfter: number }): Router {
  const router = Router();
  router.get('/metrics', requireRole('admin'), metricsHandler(deps));
  return router;
}
