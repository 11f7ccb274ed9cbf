/**
 * The request form: pick a tenant, see its profiles with their maximum
 * duration and whether they need approval, and ask. The same `requestAccess`
 * service as POST /requests, with an Idempotency-Key drawn when the form is
 * rendered, so a double click or a re-post makes one request, not two.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { requestAccess } from '../access/request-access';
import { requestBody } from '../access/request-input';
import { parseInput } from '../access/parse-input';
import { principalOf } from '../identity/authenticate';
import type { IdentityContext } from '../identity/identity-context';
import { profileView } from '../policies/profile-view';
import { assertCanSeeTenant } from '../tenants/tenant-access';
import { listTenants } from '../tenants/tenant-service';
import { formFields } from './form-fields';
import { withFreshCode } from './step-up-form';
import { shownError } from './web-errors';
import type { PageRenderer } from './web-page';
import type { WebDeps } from './web-routes';
import { requireSignIn } from './web-session';

const FIELDS = [
  'tenant',
  'profile',
  'duration',
  'justification',
  'ticket',
  'code',
  'idempotency_key',
] as const;

type RequestForm = Partial<Record<(typeof FIELDS)[number], string>>;

/** GET /requests/new, POST /requests. */
export function requestPages(
  deps: WebDeps,
  identity: IdentityContext,
  pages: PageRenderer,
  posted: RequestHandler[],
) {
  const { db } = deps;
  const router = Router();
  const people = [requireSignIn, requireRequester];

  async function renderForm(req: Request, res: Response, form: RequestForm, error?: unknown) {
    const principal = principalOf(req);
    const tenants = (await listTenants(db, principal)).filter((t) => t.status === 'active');
    let profiles: ReturnType<typeof profileView>[] = [];
    if (form.tenant && tenants.some((t) => t.slug === form.tenant)) {
      await assertCanSeeTenant(db, principal, form.tenant);
      profiles = deps.access.policies().profiles(form.tenant).map(profileView);
    }
    const shown = error === undefined ? undefined : shownError(error);
    if (error !== undefined && !shown) throw error;
    pages.render(
      req,
      res,
      'request-form.njk',
      {
        form: { ...form, code: '', idempotency_key: randomUUID() },
        tenants,
        profiles,
        error: shown,
      },
      shown?.status ?? 200,
    );
  }

  router.get('/requests/new', ...people, async (req, res) => {
    const tenant = typeof req.query.tenant === 'string' ? req.query.tenant : '';
    await renderForm(req, res, { tenant });
  });

  router.post('/requests', ...people, ...posted, async (req, res) => {
    const form = formFields(req, FIELDS);
    try {
      const input = parseInput(requestBody, {
        tenant: form.tenant,
        profile: form.profile,
        duration: form.duration.trim(),
        justification: form.justification,
        ticket: form.ticket.trim() || undefined,
      });
      const principal = await withFreshCode(identity, req, res, form.code);
      const key = form.idempotency_key || undefined;
      const { request } = await requestAccess(deps.access, principal, input, key);
      res.redirect(
        303,
        `/access?notice=${request.status === 'approved' ? 'granted' : 'requested'}`,
      );
    } catch (error) {
      await renderForm(req, res, form, error);
    }
  });

  return router;
}

// Auditors read logs; they neither request nor decide (as in the API).
const requireRequester: RequestHandler = (req, res, next) => {
  if (principalOf(req).role === 'auditor') return res.redirect(303, '/audit');
  next();
};
