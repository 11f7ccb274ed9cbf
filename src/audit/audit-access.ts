/**
 * Who may read a tenant's audit log: admins any tenant, an auditor only the
 * tenant they audit (invariant 6), nobody else. The role is checked before the
 * tenant is looked up, so an auditor cannot learn which other tenants exist.
 */
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { forbidden, notFound } from '../platform/errors';

/**
 * Throws 403 `audit.forbidden` unless `principal` may read `tenant`'s log,
 * then 404 `tenant.not_found` unless the tenant exists.
 */
export async function authorizeAuditRead(
  db: Database,
  principal: Principal,
  tenant: string,
): Promise<void> {
  const mayRead =
    principal.role === 'admin' ||
    (principal.role === 'auditor' && principal.auditorTenant === tenant);
  if (!mayRead) throw forbidden('audit.forbidden', 'You may not read this audit log');
  await assertTenantExists(db, tenant);
}

/** Throws 403 `audit.forbidden` unless an admin, then 404 for an unknown tenant. */
export async function authorizeCheckpoint(
  db: Database,
  principal: Principal,
  tenant: string,
): Promise<void> {
  if (principal.role !== 'admin') {
    throw forbidden('audit.forbidden', 'Only an admin may sign a checkpoint');
  }
  await assertTenantExists(db, tenant);
}

async function assertTenantExists(db: Database, tenant: string): Promise<void> {
  const row = await db('tenants').where({ slug: tenant }).first('slug');
  if (!row) throw notFound('tenant.not_found', 'No such tenant');
}
