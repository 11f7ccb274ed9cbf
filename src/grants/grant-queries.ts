/**
 * Reading grants with the tenant wall in every query: a holder sees their
 * own, a manager the grants on tenants they manage, an admin all of them.
 */
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { notFound } from '../platform/errors';

/** A grant as the API shows it. No credential, no Vault reference. */
export interface GrantView {
  id: string;
  request_id: string;
  tenant: string;
  technician_id: string;
  profile: string;
  credential_kind: string;
  status: string;
  starts_at: string;
  ends_at: string;
  seconds_left: number;
  revoke_reason: string | null;
  revoked_at: string | null;
  failure_reason: string | null;
  created_at: string;
}

const COLUMNS = [
  'g.id',
  'g.request_id',
  'g.tenant',
  'g.technician_id',
  'g.profile',
  'g.credential_kind',
  'g.status',
  'g.starts_at',
  'g.ends_at',
  'g.revoke_reason',
  'g.revoked_at',
  'g.failure_reason',
  'g.created_at',
];

function visibleTo(db: Database, principal: Principal) {
  const query = db('grants as g');
  if (principal.role === 'admin') return query;
  return query.where((where) => {
    where
      .where('g.technician_id', principal.technicianId)
      .orWhereExists(
        db('assignments as a')
          .whereRaw('a.tenant = g.tenant')
          .where({ 'a.technician_id': principal.technicianId, 'a.relation': 'manager' }),
      );
  });
}

function toView(row: Record<string, unknown>, now = Date.now()): GrantView {
  const endsAt = row.ends_at as Date;
  const live = row.status === 'active' || row.status === 'issuing';
  return {
    id: row.id as string,
    request_id: row.request_id as string,
    tenant: row.tenant as string,
    technician_id: row.technician_id as string,
    profile: row.profile as string,
    credential_kind: row.credential_kind as string,
    status: row.status as string,
    starts_at: (row.starts_at as Date).toISOString(),
    ends_at: endsAt.toISOString(),
    seconds_left: live ? Math.max(0, Math.floor((endsAt.getTime() - now) / 1000)) : 0,
    revoke_reason: (row.revoke_reason as string | null) ?? null,
    revoked_at: (row.revoked_at as Date | null)?.toISOString() ?? null,
    failure_reason: (row.failure_reason as string | null) ?? null,
    created_at: (row.created_at as Date).toISOString(),
  };
}

/** Filters for listing grants. */
export interface GrantFilter {
  status?: string;
  tenant?: string;
  /** Only the caller's own grants. */
  mine?: boolean;
  limit: number;
}

/** Grants the principal may see, newest first. */
export async function listGrants(db: Database, principal: Principal, filter: GrantFilter) {
  const query = visibleTo(db, principal).select(COLUMNS).orderBy('g.created_at', 'desc');
  if (filter.status) query.where('g.status', filter.status);
  if (filter.tenant) query.where('g.tenant', filter.tenant);
  if (filter.mine) query.where('g.technician_id', principal.technicianId);
  const rows = await query.limit(filter.limit);
  return rows.map((row: Record<string, unknown>) => toView(row));
}

/** One grant the principal may see; 404 `grant.not_found` otherwise. */
export async function getGrant(db: Database, principal: Principal, id: string) {
  const row = await visibleTo(db, principal).where('g.id', id).first(COLUMNS);
  if (!row) throw notFound('grant.not_found', 'No such grant');
  return toView(row);
}
