/**
 * `POST /grants/:id/revoke`: ends a grant early, with a reason. Mounted after
 * authentication; the other /grants routes live in src/grants.
 */
import { Router } from 'express';
import { z } from 'zod';
import { parseInput, plainText } from '../access/parse-input';
import { principalOf } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { revokeGrant } from './revoke-grant';

const revokeParams = z.object({ id: z.uuid({ error: 'must be a grant id' }) });

/** The revoke body: a reason of 1 to 500 characters. */
export const revokeBody = z.strictObject({
  reason: plainText(500).refine((value) => value.trim().length > 0, 'must not be empty'),
});

/** The manual revoke route. */
export function revokeRoutes(deps: { db: Database }): Router {
  const router = Router();
  router.post('/grants/:id/revoke', async (req, res) => {
    const { id } = parseInput(revokeParams, req.params, 'grant.invalid');
    const { reason } = parseInput(revokeBody, req.body, 'grant.invalid');
    const principal = principalOf(req);

    const result = await revokeGrant(deps.db, principal, id, reason);

    res.status(202).json(result);
  });
  return router;
}
