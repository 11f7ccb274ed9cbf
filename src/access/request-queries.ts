/**
 * Reading requests: the caller's own, the ones awaiting their decision, and
 * one by id. Every query carries the caller's tenants (invariant 6).
 */
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { notFound } from '../platform/errors';
import { relationsOn } from '../tenants/tenant-access';
import { requestView, type RequestRow } from './request-row';

/** Which requests a list shows. */
export type RequestScope = 'mine' | 'pending' | 'all';

const LIST_LIMIT = 200;

/**
 * `mine`: the caller's own requests. `pending`: pending requests of others in
 * the tenants the caller manages that still wait for the caller's approval
 * (for admins: every pending request). `all`: every request (admins only; the
 * route refuses others).
 */
export async function listRequests(db: Database, principal: Principal, scope: RequestScope) {
  const query = db('access_requests as r')
    .leftJoin('grants as g', 'g.request_id', 'r.id')
    .orderBy('r.created_at', 'desc')
    .limit(LIST_LIMIT)
    .select('r.*', 'g.id as grant_id', 'g.status as grant_status');
  if (scope === 'mine') query.where('r.technician_id', principal.technicianId);
  if (scope === 'pending') {
    query.where('r.status', 'pending').andWhere('r.expires_at', '>', db.fn.now());
    if (principal.role !== 'admin') {
      query
        .whereIn(
          'r.tenant',
          db('assignments')
            .where({ technician_id: principal.technicianId, relation: 'manager' })
            .select('tenant'),
        )
        .andWhereNot('r.technician_id', principal.technicianId)
        .whereNotExists(
          db('approvals as a')
            .whereRaw('a.request_id = r.id')
            .andWhere('a.approver_id', principal.technicianId),
        );
    }
  }
  const rows = await query;
  return rows.map((row) =>
    requestView(
      row as RequestRow,
      row.grant_id ? { id: row.grant_id, status: row.grant_status } : null,
    ),
  );
}

/** One request, for its requester, a manager of its tenant, or an admin; else 404. */
export async function getRequest(db: Database, principal: Principal, id: string) {
  const row = (await db('access_requests').where({ id }).first()) as RequestRow | undefined;
  const visible =
    row &&
    (row.technician_id === principal.technicianId ||
      principal.role === 'admin' ||
      (await relationsOn(db, row.tenant, principal.technicianId)).includes('manager'));
  if (!row || !visible) throw notFound('request.not_found', 'No such request');
  const grant = await db('grants').where({ request_id: id }).first('id', 'status');
  const approvals = await db('approvals')
    .where({ request_id: id })
    .orderBy('created_at')
    .select('approver_id', 'decision', 'note', 'created_at');
  return {
    ...requestView(row, grant ?? null, approvals.filter((a) => a.decision === 'approve').length),
    decisions: approvals.map((a) => ({ ...a, created_at: new Date(a.created_at).toISOString() })),
  };
}
