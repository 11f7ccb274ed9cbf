/**
 * HTTP routes of grants and access sessions:
 *   GET  /grants               grants the caller may see (?status, ?tenant, ?scope=mine)
 *   GET  /grants/:id
 *   POST /grants/:id/checkout  the holder opens an access session, gets a wrapping token
 *   GET  /sessions/:id
 *   POST /sessions/:id/heartbeat, /sessions/:id/close
 * Revocation (POST /grants/:id/revoke) lives in src/revocation.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseInput, plainText, tenantSlug } from '../access/parse-input';
import { principalOf } from '../identity/authenticate';
import { notFound } from '../platform/errors';
import { closeSession, getSession, heartbeat, type SessionDeps } from '../sessions/access-sessions';
import { checkout, type CheckoutDeps } from './checkout';
import { getGrant, listGrants } from './grant-queries';

const GRANT_STATUSES = ['issuing', 'active', 'expired', 'failed', 'revoking', 'revoked'] as const;

const listQuery = z
  .object({
    status: z.enum(GRANT_STATUSES).optional(),
    tenant: tenantSlug.optional(),
    scope: z.enum(['mine', 'all']).default('all'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

const checkoutBody = z.object({ public_key: plainText(16_384).optional() }).strict();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id in the path, or 404: a malformed id names nothing that exists. */
function idParam(req: Request, code: string, what: string): string {
  const id = String(req.params.id);
  if (!UUID.test(id)) throw notFound(code, `No such ${what}`);
  return id.toLowerCase();
}

/** Routes over grants and access sessions; mount after authenticate. */
export function grantRoutes(deps: CheckoutDeps & SessionDeps): Router {
  const router = Router();

  router.get('/grants', async (req, res) => {
    const query = parseInput(listQuery, req.query, 'grant.invalid_query');
    const principal = principalOf(req);
    const grants = await listGrants(deps.db, principal, { ...query, mine: query.scope === 'mine' });
    res.json({ grants });
  });

  router.get('/grants/:id', async (req, res) => {
    const id = idParam(req, 'grant.not_found', 'grant');
    res.json(await getGrant(deps.db, principalOf(req), id));
  });

  router.post('/grants/:id/checkout', async (req, res) => {
    const id = idParam(req, 'grant.not_found', 'grant');
    const body = parseInput(checkoutBody, req.body, 'checkout.invalid');
    const result = await checkout(deps, principalOf(req), id, {
      publicKey: body.public_key,
      clientIp: req.ip,
      userAgent: req.get('user-agent'),
    });
    res.status(201).json(result);
  });

  router.get('/sessions/:id', async (req, res) => {
    const id = idParam(req, 'session.not_found', 'access session');
    res.json(await getSession(deps.db, principalOf(req), id));
  });

  router.post('/sessions/:id/heartbeat', async (req, res) => {
    const id = idParam(req, 'session.not_found', 'access session');
    res.json(await heartbeat(deps, principalOf(req), id));
  });

  router.post('/sessions/:id/close', async (req, res) => {
    const id = idParam(req, 'session.not_found', 'access session');
    res.json(await closeSession(deps, principalOf(req), id));
  });

  return router;
}
