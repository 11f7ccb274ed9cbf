/**
 * /tenants: tenants, their assignments and the access profiles that apply to
 * them. Each handler validates, authorizes, calls one service, and responds.
 */
import { Router } from 'express';
import { z } from 'zod';
import { parseInput, plainText, tenantSlug } from '../access/parse-input';
import { principalOf, requireRole } from '../identity/authenticate';
import type { Database } from '../platform/database';
import type { PolicySet } from '../policies/policy-set';
import { profileView } from '../policies/profile-view';
import { assignTechnician, unassignTechnician } from './assignment-service';
import { assertCanSeeTenant } from './tenant-access';
import { createTenant, listTenants, tenantView } from './tenant-service';

const createBody = z.strictObject({
  slug: tenantSlug,
  name: plainText(200).pipe(z.string().min(1, 'must not be empty')),
});
const assignmentParams = z.object({
  tenant: tenantSlug,
  technician: z.uuid({ error: 'must be a technician id' }),
});
const assignmentBody = z.strictObject({
  relation: z.enum(['technician', 'manager'], { error: 'must be technician or manager' }),
});
const removalQuery = z.object({ relation: assignmentBody.shape.relation.optional() });
const tenantParams = z.object({ tenant: tenantSlug });

/** The tenant routes, mounted after `authenticate`. */
export function tenantRoutes(deps: { db: Database; policies: () => PolicySet }): Router {
  const { db } = deps;
  const router = Router();

  router.post('/tenants', requireRole('admin'), async (req, res) => {
    const input = parseInput(createBody, req.body);
    const actor = { kind: 'technician' as const, id: principalOf(req).technicianId };
    res.status(201).json(await createTenant(db, actor, input));
  });

  router.get('/tenants', async (req, res) => {
    res.json({ tenants: await listTenants(db, principalOf(req)) });
  });

  router.get('/tenants/:tenant', async (req, res) => {
    const { tenant } = parseInput(tenantParams, req.params);
    res.json(tenantView(await assertCanSeeTenant(db, principalOf(req), tenant)));
  });

  // Auditors read the log, not the profiles: they never request access.
  const requesters = requireRole('technician', 'manager', 'admin');
  router.get('/tenants/:tenant/profiles', requesters, async (req, res) => {
    const { tenant } = parseInput(tenantParams, req.params);
    await assertCanSeeTenant(db, principalOf(req), tenant);
    res.json({ profiles: deps.policies().profiles(tenant).map(profileView) });
  });

  router.put('/tenants/:tenant/assignments/:technician', requireRole('admin'), async (req, res) => {
    const params = parseInput(assignmentParams, req.params);
    const { relation } = parseInput(assignmentBody, req.body);
    const actor = { kind: 'technician' as const, id: principalOf(req).technicianId };
    const input = { tenant: params.tenant, technician_id: params.technician, relation };
    const { assignment, created } = await assignTechnician(db, actor, input);
    res.status(created ? 201 : 200).json(assignment);
  });

  router.delete(
    '/tenants/:tenant/assignments/:technician',
    requireRole('admin'),
    async (req, res) => {
      const params = parseInput(assignmentParams, req.params);
      // Without ?relation= every relation of the technician to the tenant goes.
      const { relation } = parseInput(removalQuery, req.query);
      const actor = { kind: 'technician' as const, id: principalOf(req).technicianId };
      const input = { tenant: params.tenant, technician_id: params.technician, relation };
      await unassignTechnician(db, actor, input);
      res.status(204).end();
    },
  );

  return router;
}
