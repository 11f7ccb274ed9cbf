/**
 * Who may act on which tenant (invariant 6). Every tenant-scoped route asks
 * here first. For anyone but an admin, a tenant that does not exist and one
 * they are not assigned to give the same answer, so that the API does not
 * reveal which customers the MSP has.
 */
import type { Knex } from 'knex';
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { forbidden, notFound } from '../platform/errors';

/** How a technician relates to a tenant. */
export type Relation = 'technician' | 'manager';

/** The relations `technicianId` holds on `tenant` (none when not assigned). */
export async function relationsOn(
  db: Database,
  tenant: string,
  technicianId: string,
): Promise<Relation[]> {
  const rows = await db('assignments')
    .where({ tenant, technician_id: technicianId })
    .select('relation');
  return rows.map((row) => row.relation as Relation);
}

/**
 * A tenant's status and the relations `technicianId` holds on it, in one
 * query; undefined when the tenant does not exist. `alongside` is evaluated in
 * the same query when the tenant exists (a lock the caller takes next anyway).
 */
export async function tenantStanding(
  db: Database,
  tenant: string,
  technicianId: string,
  alongside?: Knex.Raw,
): Promise<{ status: TenantRow['status']; relations: Relation[] } | undefined> {
  const relations = db('assignments')
    .where({ tenant, technician_id: technicianId })
    .select('relation');
  const columns = [db.raw('array(?) as relations', [relations]), ...(alongside ? [alongside] : [])];
  return db('tenants')
    .where({ slug: tenant })
    .first('status', ...columns);
}

/**
 * Throws unless the caller may see `tenant`: admins see every tenant, an
 * auditor their own, others the tenants they are assigned to. Returns the row.
 */
export async function assertCanSeeTenant(db: Database, principal: Principal, tenant: string) {
  const row = await db('tenants').where({ slug: tenant }).first();
  if (principal.role === 'admin') {
    if (!row) throw notFound('tenant.not_found', 'No such tenant');
    return row as TenantRow;
  }
  const allowed =
    principal.role === 'auditor'
      ? principal.auditorTenant === tenant
      : (await relationsOn(db, tenant, principal.technicianId)).length > 0;
  if (!row || !allowed) throw notAssigned();
  return row as TenantRow;
}

/** The refusal for a tenant the caller is not assigned to (or that does not exist). */
export function notAssigned() {
  return forbidden('tenant.not_assigned', 'You are not assigned to this tenant');
}

/** A tenants row. */
export interface TenantRow {
  slug: string;
  name: string;
  status: 'active' | 'churned';
  created_at: Date;
  churned_at: Date | null;
}
