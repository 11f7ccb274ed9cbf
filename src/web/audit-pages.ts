/**
 * The audit log for admins and auditors: the tenants they may read, a
 * tenant's events page by page (newest pages by following "next"), the chain
 * verification, and the JSON Lines export as a download. The same
 * `authorizeAuditRead`, `listEvents`, `verifyChain` and `exportAuditLog` as
 * the /audit API routes.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import { parseInput, tenantSlug } from '../access/parse-input';
import { authorizeAuditRead } from '../audit/audit-access';
import { exportAuditLog } from '../audit/export';
import { listEvents } from '../audit/read-events';
import { auditSigner } from '../audit/signing-key';
import { verifyChain } from '../audit/verify';
import { principalOf, requireRole } from '../identity/authenticate';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { logger } from '../platform/logger';
import { listTenants } from '../tenants/tenant-service';
import type { PageRenderer } from './web-page';
import { requireSignIn } from './web-session';

const PAGE = 50;
const tenantParams = z.object({ tenant: tenantSlug });
const pageQuery = z.object({
  after: z.coerce.number().int().min(0).optional(),
  verify: z.literal('1').optional(),
});

/** GET /audit, /audit/:tenant, /audit/:tenant/export. */
export function auditPages(config: Config, db: Database, pages: PageRenderer) {
  const router = Router();
  const readers = [requireSignIn, requireRole('admin', 'auditor')];

  router.get('/audit', ...readers, async (req, res) => {
    const tenants = await listTenants(db, principalOf(req));
    pages.render(req, res, 'audit-tenants.njk', { tenants });
  });

  // LIMITATION: the page pages through events in order but offers none of the
  // API's filters (time range, action, actor, subject); an auditor looking for
  // one event uses GET /api/v1/audit/:tenant/events or the export.
  router.get('/audit/:tenant', ...readers, async (req, res) => {
    const { tenant } = parseInput(tenantParams, req.params, 'audit.invalid_query');
    const query = parseInput(pageQuery, req.query, 'audit.invalid_query');
    await authorizeAuditRead(db, principalOf(req), tenant);
    const page = await listEvents(db, tenant, { afterSeq: query.after, limit: PAGE });
    const verified = query.verify ? await verifyChain(db, auditSigner(config), tenant) : undefined;
    pages.render(req, res, 'audit.njk', { tenant, page, verified });
  });

  router.get('/audit/:tenant/export', ...readers, async (req, res) => {
    const { tenant } = parseInput(tenantParams, req.params, 'audit.invalid_query');
    await authorizeAuditRead(db, principalOf(req), tenant);
    res.type('application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="audit-${tenant}.jsonl"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(Readable.from(exportAuditLog(db, auditSigner(config), tenant)), res);
    } catch (error) {
      // Once bytes are out no error page can follow: the cut connection
      // leaves the download visibly short, and verification would fail.
      logger.error('audit export failed', { tenant, error });
      res.destroy();
    }
  });

  return router;
}
