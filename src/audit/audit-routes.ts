/**
 * The audit log over HTTP: read, verify and export one tenant's log (admins,
 * or that tenant's auditor), sign a checkpoint on demand (admins), and the
 * public checkpoint key (anyone, mounted before authentication).
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../identity/authenticate';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { badRequest } from '../platform/errors';
import { logger } from '../platform/logger';
import { AUDIT_ACTIONS } from './actions';
import { authorizeAuditRead, authorizeCheckpoint } from './audit-access';
import { writeCheckpoint } from './checkpoints';
import { exportAuditLog } from './export';
import { listEvents } from './read-events';
import { auditSigner } from './signing-key';
import { verifyChain } from './verify';

const eventQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    action: z.enum(AUDIT_ACTIONS).optional(),
    actor: z.string().min(1).max(200).optional(),
    subject: z.string().min(1).max(200).optional(),
    after_seq: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** GET /audit/public-key: the key checkpoints are signed with. Public. */
export function auditPublicKeyRoutes(config: Config): Router {
  const router = Router();
  router.get('/audit/public-key', (_req, res) => {
    res.json(auditSigner(config).published());
  });
  return router;
}

/** The authenticated audit routes under /audit/:tenant. */
export function auditRoutes(config: Config, db: Database): Router {
  const router = Router();

  router.get('/audit/:tenant/events', async (req, res) => {
    const parsed = eventQuery.safeParse(req.query);
    if (!parsed.success) throw badRequest('audit.invalid_query', queryProblem(parsed.error));
    const { tenant } = req.params;
    await authorizeAuditRead(db, principalOf(req), tenant);
    const { after_seq: afterSeq, ...filter } = parsed.data;
    res.json(await listEvents(db, tenant, { ...filter, afterSeq }));
  });

  router.get('/audit/:tenant/verify', async (req, res) => {
    const { tenant } = req.params;
    await authorizeAuditRead(db, principalOf(req), tenant);
    res.json(await verifyChain(db, auditSigner(config), tenant));
  });

  router.get('/audit/:tenant/export', async (req, res) => {
    const { tenant } = req.params;
    await authorizeAuditRead(db, principalOf(req), tenant);
    res.type('application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${tenant}.jsonl"`);
    await stream(res, exportAuditLog(db, auditSigner(config), tenant), tenant);
  });

  router.post('/audit/:tenant/checkpoints', async (req, res) => {
    const { tenant } = req.params;
    const principal = principalOf(req);
    await authorizeCheckpoint(db, principal, tenant);
    const actor = { kind: 'technician' as const, id: principal.technicianId };
    res.status(201).json(await writeCheckpoint(db, auditSigner(config), tenant, actor));
  });

  return router;
}

function queryProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
  return `${field}: ${issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message}`;
}

// Writes lines as the client takes them (backpressure), so a slow reader never
// makes the broker buffer the log. Once bytes are out an error can no longer
// become a JSON error body: the connection is cut so the file is visibly short.
async function stream(res: Response, lines: AsyncIterable<string>, tenant: string) {
  try {
    for await (const chunk of lines) {
      if (!res.write(chunk)) await drainedOrClosed(res);
      // The client went away: leaving the loop stops the batch reads too.
      if (res.destroyed) return;
    }
    res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    logger.error('audit export failed', { tenant, error });
    res.destroy();
  }
}

function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
