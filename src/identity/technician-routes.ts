/** /technicians: admins create, list, (re-)enroll and disable technicians. */
import { Router } from 'express';
import { validateInput } from './validate-input';
import type { Actor } from '../audit/actions';
import { technicianBody, technicianParams } from './auth-inputs';
import { principalOf, requireRole } from './authenticate';
import type { IdentityContext } from './identity-context';
import {
  createTechnician,
  disableTechnician,
  issueEnrollment,
  listTechnicians,
} from './technicians';

function actorOf(req: Parameters<typeof principalOf>[0]): Actor {
  return { kind: 'technician', id: principalOf(req).technicianId };
}

/** The technician routes, mounted after `authenticate`; admins only. */
export function technicianRoutes(ctx: IdentityContext): Router {
  const router = Router();
  const admin = requireRole('admin');

  router.post('/technicians', admin, async (req, res) => {
    const input = validateInput(technicianBody, req.body, 'technician.invalid');
    res.status(201).json(await createTechnician(ctx, actorOf(req), input));
  });

  router.get('/technicians', admin, async (_req, res) => {
    res.json({ technicians: await listTechnicians(ctx.db) });
  });

  router.post('/technicians/:id/enrollment', admin, async (req, res) => {
    const { id } = validateInput(technicianParams, req.params, 'technician.invalid');
    res.status(201).json(await issueEnrollment(ctx, actorOf(req), id));
  });

  router.post('/technicians/:id/disable', admin, async (req, res) => {
    const { id } = validateInput(technicianParams, req.params, 'technician.invalid');
    res.json(await disableTechnician(ctx, actorOf(req), id));
  });

  return router;
}
