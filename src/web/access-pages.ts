/**
 * "My access": the tenants a technician may request, their requests and
 * grants with the time left, checkout, ending an access session, and
 * revoking one's own grant early.
 *
 * Checkout shows the credential once without any script: the server checks
 * the grant out (a fresh single-use wrapping token), and the page shows that
 * token with the command to unwrap it at Vault, and a button that has the
 * server unwrap it instead and show the credential. Either way it can be
 * unwrapped once: a second try (a reload, or an interceptor) fails visibly.
 * Both pages are `Cache-Control: no-store`, and the credential is never logged.
 */
import { Router, type RequestHandler } from 'express';
import { parseInput } from '../access/parse-input';
import { listRequests } from '../access/request-queries';
import { cancel } from '../access/decide-request';
import { checkout } from '../grants/checkout';
import { getGrant, listGrants } from '../grants/grant-queries';
import { principalOf } from '../identity/authenticate';
import { AppError } from '../platform/errors';
import { revokeGrant } from '../revocation/revoke-grant';
import { revokeBody } from '../revocation/revoke-routes';
import { closeSession } from '../sessions/access-sessions';
import { vaultStatus } from '../vault/vault-errors';
import { listTenants } from '../tenants/tenant-service';
import { formFields } from './form-fields';
import { listOpenSessions } from './my-sessions';
import type { WebDeps } from './web-routes';
import type { PageRenderer } from './web-page';
import { requireSignIn } from './web-session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The :id of a path, or 404 with `code`: a malformed id names nothing. */
export function pathId(value: unknown, code: string): string {
  const id = String(value);
  if (!UUID.test(id)) throw new AppError(code, 404, 'Not found');
  return id.toLowerCase();
}

// Vault answered and said no (as opposed to: Vault could not be reached).
function refusedByVault(error: unknown): boolean {
  if (error instanceof AppError) return error.code === 'vault.denied';
  const status = vaultStatus(error);
  return status !== undefined && status >= 400 && status < 500;
}

function grantsOf(deps: WebDeps) {
  if (!deps.grants) throw new AppError('vault.unavailable', 503, 'Vault is not configured');
  return deps.grants;
}

/** GET /access; POST /grants/:id/checkout, /grants/:id/revoke, /credentials/unwrap, /sessions/:id/close. */
export function accessPages(deps: WebDeps, pages: PageRenderer, posted: RequestHandler[]) {
  const { db } = deps;
  const router = Router();

  router.get('/access', requireSignIn, async (req, res) => {
    const principal = principalOf(req);
    const [tenants, requests, grants, sessions] = await Promise.all([
      listTenants(db, principal),
      listRequests(db, principal, 'mine'),
      listGrants(db, principal, { mine: true, limit: 50 }),
      listOpenSessions(db, principal),
    ]);
    pages.render(req, res, 'access.njk', {
      tenants: tenants.filter((t) => t.status === 'active'),
      requests,
      grants,
      sessions,
    });
  });

  router.post('/requests/:id/cancel', requireSignIn, ...posted, async (req, res) => {
    const id = pathId(req.params.id, 'request.not_found');
    await cancel(deps.access, principalOf(req), id);
    res.redirect(303, '/access?notice=cancelled');
  });

  router.post('/grants/:id/checkout', requireSignIn, ...posted, async (req, res) => {
    const id = pathId(req.params.id, 'grant.not_found');
    const { public_key: publicKey } = formFields(req, ['public_key'] as const);
    const grants = grantsOf(deps);
    const result = await checkout(grants, principalOf(req), id, {
      publicKey: publicKey.trim() || undefined,
      clientIp: req.ip,
      userAgent: req.get('user-agent'),
    });
    const grant = await getGrant(db, principalOf(req), id);
    pages.render(req, res, 'checkout.njk', { result, grant });
  });

  router.post('/credentials/unwrap', requireSignIn, ...posted, async (req, res) => {
    const { wrap_token: token, tenant } = formFields(req, ['wrap_token', 'tenant'] as const);
    const grants = grantsOf(deps);
    let credential: Record<string, unknown>;
    try {
      credential = await grants.vault.unwrap(tenant, token);
    } catch (error) {
      if (!refusedByVault(error)) throw error;
      // Vault refuses an unwrap only for a token that is spent, expired or
      // never was: to the holder, each means "this was shown already".
      throw new AppError('credential.already_unwrapped', 410, 'Already unwrapped');
    }
    pages.render(req, res, 'credential.njk', { credential: Object.entries(credential), tenant });
  });

  router.post('/grants/:id/revoke', requireSignIn, ...posted, async (req, res) => {
    const id = pathId(req.params.id, 'grant.not_found');
    const { reason } = parseInput(
      revokeBody,
      formFields(req, ['reason'] as const),
      'grant.invalid',
    );
    await revokeGrant(db, principalOf(req), id, reason);
    res.redirect(303, '/access?notice=revoked');
  });

  router.post('/sessions/:id/close', requireSignIn, ...posted, async (req, res) => {
    const id = pathId(req.params.id, 'session.not_found');
    await closeSession(grantsOf(deps), principalOf(req), id);
    res.redirect(303, '/access?notice=session-closed');
  });

  return router;
}
