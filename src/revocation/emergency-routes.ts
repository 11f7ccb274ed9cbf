/**
 * `POST /emergency/revoke-all`: an admin with fresh MFA ends every live
 * grant, giving a reason. Answers 202 with a receipt whose status can be
 * followed at `GET /hooks/receipts/:id`.
 */
import { Router } from 'express';
import { parseInput } from '../access/parse-input';
import { assertFreshMfa, principalOf, requireRole } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { revokeAll } from './emergency-revoke';
import { revokeBody } from './revoke-routes';

/** The emergency route. */
export function emergencyRoutes(deps: { db: Database; stepUpMaxAge: number }): Router {
  const router = Router();
  router.post('/emergency/revoke-all', requireRole('admin'), async (req, res) => {
    const { reason } = parseInput(revokeBody, req.body, 'emergency.invalid');
    const principal = principalOf(req);
    assertFreshMfa(principal, deps.stepUpMaxAge);

    const receipt = await revokeAll(deps.db, principal, reason);

    res.status(202).json(receipt);
  });
  return router;
}
