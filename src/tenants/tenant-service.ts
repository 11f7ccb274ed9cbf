/**
 * Tenants (the MSP's customers): creating and listing them. Churn, which
 * revokes everything on a tenant, belongs to offboarding (src/revocation).
 */
import type { Actor } from '../audit/actions';
import { appendAudit } from '../audit/append';
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { conflict } from '../platform/errors';
import type { TenantRow } from './tenant-access';

/** A tenant as the API shows it. */
export interface TenantView {
  slug: string;
  name: string;
  status: 'active' | 'churned';
  created_at: string;
  churned_at: string | null;
}

/** The API view of a tenants row. */
export function tenantView(row: TenantRow): TenantView {
  return {
    slug: row.slug,
    name: row.name,
    status: row.status,
    created_at: new Date(row.created_at).toISOString(),
    churned_at: row.churned_at ? new Date(row.churned_at).toISOString() : null,
  };
}

/** Creates an active tenant, audited in its own new chain. */
export async function createTenant(
  db: Database,
  actor: Actor,
  input: { slug: string; name: string },
): Promise<TenantView> {
  return db.transaction(async (trx) => {
    const inserted = await trx('tenants')
      .insert({ slug: input.slug, name: input.name })
      .onConflict('slug')
      .ignore()
      .returning('*');
    const row = inserted[0] as TenantRow | undefined;
    if (!row) throw conflict('tenant.exists', 'A tenant with this slug exists');
    await appendAudit(trx, {
      tenant: row.slug,
      actor,
      action: 'tenant.created',
      subject: row.slug,
      data: { name: row.name },
    });
    return tenantView(row);
  });
}

/**
 * The tenants the caller may see: all for an admin, their own for an auditor,
 * the assigned ones (with the caller's relations) for everyone else.
 */
export async function listTenants(db: Database, principal: Principal) {
  const query = db('tenants').orderBy('slug');
  if (principal.role === 'auditor') {
    query.where('slug', principal.auditorTenant ?? '');
  } else if (principal.role !== 'admin') {
    query.whereIn(
      'slug',
      db('assignments').where('technician_id', principal.technicianId).select('tenant'),
    );
  }
  const rows = (await query.select('*')) as TenantRow[];
  return rows.map(tenantView);
}
