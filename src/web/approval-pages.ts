/**
 * Approvals for managers: the queue of pending requests on the tenants they
 * manage, and one form per request to approve or deny it with a fresh code.
 * The same `listRequests`, `approve` and `deny` services as the API.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { approve, deny } from '../access/decide-request';
import { parseInput } from '../access/parse-input';
import { listRequests } from '../access/request-queries';
import { approveBody, denyBody } from '../access/request-input';
import { principalOf, requireRole } from '../identity/authenticate';
import type { IdentityContext } from '../identity/identity-context';
import { badRequest } from '../platform/errors';
import { pathId } from './access-pages';
import { formFields } from './form-fields';
import { emailsOf } from './requester-names';
import { withFreshCode } from './step-up-form';
import { shownError } from './web-errors';
import type { PageRenderer } from './web-page';
import type { WebDeps } from './web-routes';
import { requireSignIn } from './web-session';

/** GET /approvals, POST /requests/:id/decide. */
export function approvalPages(
  deps: WebDeps,
  identity: IdentityContext,
  pages: PageRenderer,
  posted: RequestHandler[],
) {
  const router = Router();
  const managers = [requireSignIn, requireRole('manager', 'admin')];

  async function renderQueue(req: Request, res: Response, error?: unknown) {
    const shown = error === undefined ? undefined : shownError(error);
    if (error !== undefined && !shown) throw error;
    const requests = await listRequests(deps.db, principalOf(req), 'pending');
    const emails = await emailsOf(
      deps.db,
      requests.map((r) => r.technician_id),
    );
    pages.render(req, res, 'approvals.njk', { requests, emails, error: shown }, shown?.status);
  }

  router.get('/approvals', ...managers, async (req, res) => {
    await renderQueue(req, res);
  });

  router.post('/requests/:id/decide', ...managers, ...posted, async (req, res) => {
    const { decision, note, code } = formFields(req, ['decision', 'note', 'code'] as const);
    try {
      const id = pathId(req.params.id, 'request.not_found');
      if (decision !== 'approve' && decision !== 'deny') {
        throw badRequest('web.invalid_form', 'decision: must be approve or deny');
      }
      const principal = await withFreshCode(identity, req, res, code);
      if (decision === 'approve') {
        const input = parseInput(approveBody, { note: note.trim() || undefined });
        await approve(deps.access, principal, id, input.note?.trim() || null);
      } else {
        const input = parseInput(denyBody, { note });
        await deny(deps.access, principal, id, input.note);
      }
      res.redirect(303, `/approvals?notice=${decision === 'approve' ? 'approved' : 'denied'}`);
    } catch (error) {
      await renderQueue(req, res, error);
    }
  });

  return router;
}
