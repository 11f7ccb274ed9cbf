/**
 * Admin basics: tenants, technicians (with their one-time enrollment token,
 * shown once), assignments, and the emergency revoke-all. The same services
 * as POST /tenants, /technicians, PUT/DELETE assignments and
 * /emergency/revoke-all; the emergency needs a fresh code in its form.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { parseInput, plainText, tenantSlug } from '../access/parse-input';
import type { Actor } from '../audit/actions';
import { technicianBody } from '../identity/auth-inputs';
import { assertFreshMfa, principalOf, requireRole } from '../identity/authenticate';
import type { IdentityContext } from '../identity/identity-context';
import {
  createTechnician,
  disableTechnician,
  issueEnrollment,
  listTechnicians,
} from '../identity/technicians';
import { revokeAll } from '../revocation/emergency-revoke';
import { revokeBody } from '../revocation/revoke-routes';
import { assignTechnician, unassignTechnician } from '../tenants/assignment-service';
import { createTenant, listTenants } from '../tenants/tenant-service';
import { pathId } from './access-pages';
import { formFields } from './form-fields';
import { listAssignments } from './assignment-list';
import { withFreshCode } from './step-up-form';
import { shownError } from './web-errors';
import type { PageRenderer } from './web-page';
import { requireSignIn } from './web-session';

const tenantBody = z.strictObject({
  slug: tenantSlug,
  name: plainText(200).pipe(z.string().min(1, 'must not be empty')),
});
const assignmentBody = z.strictObject({
  tenant: tenantSlug,
  technician: z.uuid({ error: 'must be a technician id' }),
  relation: z.enum(['technician', 'manager'], { error: 'must be technician or manager' }),
});

function actorOf(req: Request): Actor {
  return { kind: 'technician', id: principalOf(req).technicianId };
}

/** GET /admin and its forms. */
export function adminPages(
  ctx: IdentityContext,
  pages: PageRenderer,
  posted: RequestHandler[],
  limiter: RequestHandler,
) {
  const { db } = ctx;
  const router = Router();
  const admins = [requireSignIn, requireRole('admin')];

  // The admin page, with a refusal or a one-time value (an enrollment token) to show.
  async function renderAdmin(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const [tenants, technicians, assignments] = await Promise.all([
      listTenants(db, principalOf(req)),
      listTechnicians(db),
      listAssignments(db),
    ]);
    const status = (extra.error as { status?: number } | undefined)?.status;
    pages.render(req, res, 'admin.njk', { tenants, technicians, assignments, ...extra }, status);
  }

  // Runs a form action; a refusal shows the admin page again with its message.
  function action(run: (req: Request, res: Response) => Promise<void>): RequestHandler {
    return async (req, res) => {
      try {
        await run(req, res);
      } catch (error) {
        const shown = shownError(error);
        if (!shown) throw error;
        await renderAdmin(req, res, { error: shown });
      }
    };
  }

  router.get('/admin', ...admins, async (req, res) => {
    await renderAdmin(req, res);
  });

  router.post(
    '/admin/tenants',
    ...admins,
    ...posted,
    action(async (req, res) => {
      const fields = formFields(req, ['slug', 'name'] as const);
      const input = parseInput(tenantBody, { slug: fields.slug.trim(), name: fields.name.trim() });
      await createTenant(db, actorOf(req), input);
      res.redirect(303, '/admin?notice=tenant-created');
    }),
  );

  router.post(
    '/admin/technicians',
    ...admins,
    ...posted,
    action(async (req, res) => {
      const fields = formFields(req, ['email', 'display_name', 'role', 'auditor_tenant'] as const);
      const input = parseInput(
        technicianBody,
        {
          email: fields.email.trim(),
          display_name: fields.display_name.trim(),
          role: fields.role,
          auditor_tenant: fields.auditor_tenant.trim() || undefined,
        },
        'technician.invalid',
      );
      const created = await createTechnician(ctx, actorOf(req), input);
      // Shown once, on this answer: the token is stored only as a digest.
      await renderAdmin(req, res, { enrollment: created });
    }),
  );

  router.post(
    '/admin/technicians/:id/enrollment',
    ...admins,
    ...posted,
    action(async (req, res) => {
      const id = pathId(req.params.id, 'technician.not_found');
      const token = await issueEnrollment(ctx, actorOf(req), id);
      const technician = (await listTechnicians(db)).find((t) => t.id === id);
      await renderAdmin(req, res, { enrollment: { email: technician?.email, ...token } });
    }),
  );

  router.post(
    '/admin/technicians/:id/disable',
    ...admins,
    ...posted,
    action(async (req, res) => {
      const id = pathId(req.params.id, 'technician.not_found');
      await disableTechnician(ctx, actorOf(req), id);
      res.redirect(303, '/admin?notice=technician-disabled');
    }),
  );

  router.post(
    '/admin/assignments',
    ...admins,
    ...posted,
    action(async (req, res) => {
      const fields = formFields(req, ['tenant', 'technician', 'relation', 'remove'] as const);
      const input = parseInput(assignmentBody, {
        tenant: fields.tenant,
        technician: fields.technician,
        relation: fields.relation,
      });
      const assignment = {
        tenant: input.tenant,
        technician_id: input.technician,
        relation: input.relation,
      };
      if (fields.remove) {
        await unassignTechnician(db, actorOf(req), assignment);
        return res.redirect(303, '/admin?notice=unassigned');
      }
      await assignTechnician(db, actorOf(req), assignment);
      res.redirect(303, '/admin?notice=assigned');
    }),
  );

  router.post(
    '/admin/emergency',
    ...admins,
    limiter,
    ...posted,
    action(async (req, res) => {
      const { reason, code } = formFields(req, ['reason', 'code'] as const);
      const input = parseInput(revokeBody, { reason }, 'emergency.invalid');
      const principal = await withFreshCode(ctx, req, res, code);
      assertFreshMfa(principal, ctx.config.stepUpMaxAge);
      const receipt = await revokeAll(db, principal, input.reason);
      // LIMITATION: the receipt is shown as it stands when marking is done;
      // Vault's confirmations come later, and an admin follows them at
      // GET /api/v1/hooks/receipts/:id (the id shown) or with `jit`, not here.
      await renderAdmin(req, res, { receipt });
    }),
  );

  return router;
}
