/**
 * /requests: ask for access, read, and decide. Each handler validates,
 * authorizes, calls one service function, and responds.
 */
import { Router } from 'express';
import { z } from 'zod';
import { principalOf, requireRole } from '../identity/authenticate';
import { forbidden } from '../platform/errors';
import type { AccessDeps } from './access-deps';
import { approve, cancel, deny } from './decide-request';
import { parseInput } from './parse-input';
import { requestAccess } from './request-access';
import { approveBody, denyBody, idempotencyKey, requestBody, requestParams } from './request-input';
import { getRequest, listRequests } from './request-queries';

const listQuery = z.object({
  scope: z
    .enum(['mine', 'pending', 'all'], { error: 'must be mine, pending or all' })
    .default('mine'),
});

/** The request routes, mounted after `authenticate`. */
export function requestRoutes(deps: AccessDeps): Router {
  const router = Router();
  // Auditors read logs; they neither request nor decide.
  const people = requireRole('technician', 'manager', 'admin');

  router.post('/requests', people, async (req, res) => {
    const input = parseInput(requestBody, req.body);
    const header = req.get('idempotency-key');
    const key =
      header === undefined
        ? undefined
        : parseInput(idempotencyKey, header, 'request.idempotency_key_invalid');
    const { request, replayed } = await requestAccess(deps, principalOf(req), input, key);
    res.status(replayed ? 200 : 201).json(request);
  });

  router.get('/requests', people, async (req, res) => {
    const { scope } = parseInput(listQuery, req.query);
    const principal = principalOf(req);
    if (scope === 'all' && principal.role !== 'admin') {
      throw forbidden('auth.forbidden_role', 'Only admins list every request');
    }
    res.json({ requests: await listRequests(deps.db, principal, scope) });
  });

  router.get('/requests/:id', people, async (req, res) => {
    const { id } = parseInput(requestParams, req.params);
    res.json(await getRequest(deps.db, principalOf(req), id));
  });

  router.post('/requests/:id/approve', people, async (req, res) => {
    const { id } = parseInput(requestParams, req.params);
    const { note } = parseInput(approveBody, req.body);
    res.json(await approve(deps, principalOf(req), id, note?.trim() || null));
  });

  router.post('/requests/:id/deny', people, async (req, res) => {
    const { id } = parseInput(requestParams, req.params);
    const { note } = parseInput(denyBody, req.body);
    res.json(await deny(deps, principalOf(req), id, note));
  });

  router.post('/requests/:id/cancel', people, async (req, res) => {
    const { id } = parseInput(requestParams, req.params);
    res.json(await cancel(deps, principalOf(req), id));
  });

  return router;
}
