/**
 * The decisions on a pending request: approve, deny (managers of its tenant,
 * never the requester, with fresh MFA) and cancel (the requester). Each locks
 * the request row (SELECT ... FOR UPDATE), so two approvers, or an approval
 * racing a cancel, are serialised and the second sees `request.not_pending`.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../audit/actions';
import { SYSTEM } from '../audit/actions';
import { appendAudit } from '../audit/append';
import { assertFreshMfa, type Principal } from '../identity/authenticate';
import { conflict, forbidden, notFound } from '../platform/errors';
import { relationsOn, tenantStanding } from '../tenants/tenant-access';
import type { AccessDeps } from './access-deps';
import { issueGrant, notifyRequest } from './after-commit';
import { openGrant } from './open-grant';
import { assertWithinProfile } from './request-access';
import { requestView, type GrantSummary, type RequestRow, type RequestView } from './request-row';

type Decision = 'approve' | 'deny' | 'cancel';
type Outcome =
  { kind: 'expired' } | { kind: 'done'; row: RequestRow; approvals: number; grantId?: string };

/** Records one manager's approval; the last one needed turns the request into a grant. */
export function approve(deps: AccessDeps, principal: Principal, id: string, note: string | null) {
  return decide(deps, principal, id, 'approve', note);
}

/** Denies a pending request; one manager's denial is final. */
export function deny(deps: AccessDeps, principal: Principal, id: string, note: string) {
  return decide(deps, principal, id, 'deny', note);
}

/** Cancels the caller's own pending request. */
export function cancel(deps: AccessDeps, principal: Principal, id: string) {
  return decide(deps, principal, id, 'cancel', null);
}

async function decide(
  deps: AccessDeps,
  principal: Principal,
  id: string,
  decision: Decision,
  note: string | null,
): Promise<RequestView> {
  const outcome = await deps.db.transaction(async (trx): Promise<Outcome> => {
    const row = (await trx('access_requests').where({ id }).forUpdate().first()) as
      RequestRow | undefined;
    const relations = row ? await relationsOn(trx, row.tenant, principal.technicianId) : [];
    const isRequester = row?.technician_id === principal.technicianId;
    const isManager = relations.includes('manager');
    // Someone who may not see the request learns nothing, not even that it exists.
    if (!row || !(isRequester || isManager || principal.role === 'admin')) {
      throw notFound('request.not_found', 'No such request');
    }
    if (decision === 'cancel' && !isRequester) {
      throw forbidden('request.not_requester', 'Only the requester can cancel a request');
    }
    if (decision !== 'cancel') {
      if (isRequester)
        throw forbidden('request.self_approval', 'You cannot decide your own request');
      if (!isManager) {
        throw forbidden('request.not_approver', 'Only a manager of this tenant decides requests');
      }
      assertFreshMfa(principal, deps.stepUpMaxAge);
    }
    if (decision !== 'cancel' && (await hasDecided(trx, id, principal.technicianId))) {
      throw conflict('request.already_approved', 'You have already approved this request');
    }
    if (row.status !== 'pending') {
      throw conflict('request.not_pending', `The request is ${row.status}`);
    }
    if (new Date(row.expires_at).getTime() <= Date.now()) {
      await markExpired(trx, row);
      return { kind: 'expired' };
    }

    const actor: Actor = { kind: 'technician', id: principal.technicianId };
    if (decision === 'cancel') return finish(trx, row, 'cancelled', actor, null);
    if (decision === 'deny') {
      await recordApproval(trx, row, principal, 'deny', note);
      return finish(trx, row, 'denied', actor, note);
    }
    return approveLocked(deps, trx, row, principal, note);
  });

  if (outcome.kind === 'expired') {
    throw conflict('request.expired', 'Nobody decided the request in time: it has expired');
  }
  const { row, approvals, grantId } = outcome;
  let grant: GrantSummary | null = null;
  if (grantId) grant = await issueGrant(deps, grantId);
  if (decision !== 'cancel' && row.status !== 'pending') {
    await notifyRequest(deps, 'request.decided', row, principal);
  }
  return requestView(row, grant, approvals);
}

async function approveLocked(
  deps: AccessDeps,
  trx: Knex.Transaction,
  row: RequestRow,
  principal: Principal,
  note: string | null,
): Promise<Outcome> {
  const tenant = await tenantStanding(trx, row.tenant, row.technician_id);
  if (tenant?.status !== 'active') {
    throw conflict('tenant.not_active', 'The tenant is not active: nothing can be granted');
  }
  if (tenant.relations.length === 0) {
    throw conflict('request.requester_not_assigned', 'The requester is no longer assigned');
  }
  const profile = deps.policies().profile(row.tenant, row.profile);
  if (!profile) throw conflict('profile.unknown', 'The profile no longer exists');
  // The policy may have become stricter since the request was made.
  assertWithinProfile(profile, row.duration_seconds);
  await recordApproval(trx, row, principal, 'approve', note);
  const counted = await trx('approvals')
    .where({ request_id: row.id, decision: 'approve' })
    .count<{ count: string }[]>('id as count');
  const approvals = Number(counted[0]?.count ?? 0);
  const actor: Actor = { kind: 'technician', id: principal.technicianId };
  const needed = Math.max(row.approvals_required, profile.approvalsRequired, 1);
  if (approvals < needed) {
    await appendAudit(trx, {
      tenant: row.tenant,
      actor,
      action: 'request.approval_recorded',
      subject: row.id,
      data: { approvals, approvals_required: needed, note },
    });
    return { kind: 'done', row, approvals };
  }
  const { id: grantId } = await openGrant(trx, row, profile, actor, note);
  const approved = {
    ...row,
    status: 'approved' as const,
    decided_at: new Date(),
    decision_note: note,
  };
  return { kind: 'done', row: approved, approvals, grantId };
}

async function recordApproval(
  trx: Knex.Transaction,
  row: RequestRow,
  principal: Principal,
  decision: 'approve' | 'deny',
  note: string | null,
) {
  await trx('approvals').insert({
    id: randomUUID(),
    request_id: row.id,
    approver_id: principal.technicianId,
    decision,
    note,
  });
}

async function finish(
  trx: Knex.Transaction,
  row: RequestRow,
  status: 'denied' | 'cancelled',
  actor: Actor,
  note: string | null,
): Promise<Outcome> {
  const decidedAt = new Date();
  await trx('access_requests')
    .where({ id: row.id })
    .update({ status, decided_at: decidedAt, decision_note: note });
  await appendAudit(trx, {
    tenant: row.tenant,
    actor,
    action: status === 'denied' ? 'request.denied' : 'request.cancelled',
    subject: row.id,
    data: { note },
  });
  return {
    kind: 'done',
    row: { ...row, status, decided_at: decidedAt, decision_note: note },
    approvals: 0,
  };
}

/** Marks a pending request expired, audited as the broker's own doing. */
export async function markExpired(trx: Knex.Transaction, row: RequestRow) {
  await trx('access_requests')
    .where({ id: row.id, status: 'pending' })
    .update({ status: 'expired', decided_at: new Date() });
  await appendAudit(trx, {
    tenant: row.tenant,
    actor: SYSTEM,
    action: 'request.expired',
    subject: row.id,
    data: { expires_at: new Date(row.expires_at).toISOString() },
  });
}

async function hasDecided(trx: Knex.Transaction, requestId: string, approverId: string) {
  const earlier = await trx('approvals')
    .where({ request_id: requestId, approver_id: approverId })
    .first('id');
  return earlier !== undefined;
}
