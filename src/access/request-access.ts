/**
 * requestAccess: a technician asks for one profile on one tenant for a bounded
 * time. Each rule refuses with its own code before anything is written; the
 * request and (when the profile needs no approval) its grant are written with
 * their audit events in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { appendAuditEventsWith, type AuditEntry } from '../audit/append';
import { assertFreshMfa, type Principal } from '../identity/authenticate';
import { badRequest, conflict } from '../platform/errors';
import type { AccessProfile } from '../policies/access-profile';
import { formatDuration, parseDuration } from '../policies/duration';
import { notAssigned, tenantStanding } from '../tenants/tenant-access';
import type { AccessDeps } from './access-deps';
import { issueGrant, notifyRequest } from './after-commit';
import type { OpenedGrant } from './grant-issuance';
import { openGrant } from './open-grant';
import { MIN_JUSTIFICATION, type RequestInput } from './request-input';
import { requestView, type RequestRow, type RequestView } from './request-row';

/** The answer to a request: the request, and whether it was a replay. */
export interface RequestOutcome {
  request: RequestView;
  /** True when the Idempotency-Key matched an earlier request: nothing new was made. */
  replayed: boolean;
}

/** The decision note of a request its profile approves without anyone. */
const APPROVED_BY_POLICY = 'approved by policy';

/** Grant states in which a grant still counts as live for the one-live rule. */
export const LIVE_GRANT_STATUSES = ['issuing', 'active'];

/** Creates a request (and its grant when auto-approved); see the file comment. */
export async function requestAccess(
  deps: AccessDeps,
  principal: Principal,
  input: RequestInput,
  idempotencyKey: string | undefined,
): Promise<RequestOutcome> {
  const ticket = input.ticket?.trim() || null;

  type Written = { replay: RequestRow } | { created: RequestRow; grant?: OpenedGrant };
  const result = await deps.db.transaction(async (trx): Promise<Written> => {
    // One technician's requests are created one at a time, across every broker
    // process, so the replay and one-live checks below cannot race each other.
    // The lock is taken by the query that reads the tenant's standing; a tenant
    // that does not exist is refused below, and nothing needs the lock then.
    const lock = trx.raw('pg_advisory_xact_lock(hashtext(?))', [
      `request:${principal.technicianId}`,
    ]);
    const standing = await tenantStanding(trx, input.tenant, principal.technicianId, lock);
    const { profile, seconds } = checkRules(deps, principal, input, standing);
    if (idempotencyKey) {
      const earlier = (await trx('access_requests')
        .where({ technician_id: principal.technicianId, idempotency_key: idempotencyKey })
        .first()) as RequestRow | undefined;
      if (earlier) return { replay: sameRequest(earlier, input, seconds, ticket) };
    }
    await assertNothingLive(trx, principal.technicianId, input);

    const now = new Date();
    // A request the profile approves by itself is written approved, with its
    // grant, in this same transaction.
    const byPolicy = profile.approvalsRequired === 0;
    const row: RequestRow = {
      id: randomUUID(),
      tenant: input.tenant,
      technician_id: principal.technicianId,
      profile: profile.name,
      duration_seconds: seconds,
      justification: input.justification,
      ticket,
      status: byPolicy ? 'approved' : 'pending',
      approvals_required: profile.approvalsRequired,
      idempotency_key: idempotencyKey ?? null,
      policy_hash: deps.policies().hash,
      created_at: now,
      expires_at: new Date(now.getTime() + deps.pendingTtl * 1000),
      decided_at: byPolicy ? now : null,
      decision_note: byPolicy ? APPROVED_BY_POLICY : null,
    };
    const insert = trx('access_requests').insert(row);
    const actor = { kind: 'technician' as const, id: principal.technicianId };
    const created: AuditEntry = {
      tenant: row.tenant,
      actor,
      action: 'request.created',
      subject: row.id,
      data: {
        profile: row.profile,
        duration_seconds: seconds,
        justification: row.justification,
        ticket,
        approvals_required: row.approvals_required,
        policy_hash: row.policy_hash,
      },
    };
    if (!byPolicy) {
      await appendAuditEventsWith(trx, { changes: [insert] }, [created]);
      return { created: row };
    }
    const grant = await openGrant(trx, row, profile, actor, APPROVED_BY_POLICY, {
      changes: [insert],
      events: [created],
    });
    return { created: row, grant: { ...grant, email: principal.email } };
  });

  if ('replay' in result) return replayOutcome(deps, result.replay);
  const { created, grant: opened } = result;
  if (!opened) {
    await notifyRequest(deps, 'request.pending', created);
    return { request: requestView(created, null, 0), replayed: false };
  }
  const grant = await issueGrant(deps, opened.id, opened);
  return { request: requestView(created, grant, 0), replayed: false };
}

function checkRules(
  deps: AccessDeps,
  principal: Principal,
  input: RequestInput,
  tenant: Awaited<ReturnType<typeof tenantStanding>>,
) {
  if (!tenant || tenant.relations.length === 0) throw notAssigned();
  if (tenant.status !== 'active') {
    throw conflict('tenant.not_active', 'The tenant is not active: no new requests');
  }
  const profile = deps.policies().profile(input.tenant, input.profile);
  if (!profile) throw badRequest('profile.unknown', 'No such access profile for this tenant');

  const seconds = parseDuration(input.duration);
  if (seconds === undefined) {
    throw badRequest('request.duration_invalid', 'duration: must be positive, like 90m or 2h');
  }
  assertWithinProfile(profile, seconds);
  if (input.justification.trim().length < MIN_JUSTIFICATION) {
    throw badRequest(
      'request.justification_too_short',
      `justification: say why, in at least ${MIN_JUSTIFICATION} characters`,
    );
  }
  if (profile.ticketRequired && !input.ticket?.trim()) {
    throw badRequest('request.ticket_required', 'ticket: this profile needs a ticket reference');
  }
  if (profile.stepUp) assertFreshMfa(principal, deps.stepUpMaxAge);
  return { profile, seconds };
}

/** Refuses a duration longer than the profile allows: refused, never trimmed. */
export function assertWithinProfile(profile: AccessProfile, seconds: number) {
  if (seconds > profile.maxDurationSeconds) {
    const limit = formatDuration(profile.maxDurationSeconds);
    throw badRequest(
      'request.duration_exceeds_profile',
      `duration: the ${profile.name} profile allows at most ${limit}`,
    );
  }
}

async function assertNothingLive(trx: AccessDeps['db'], technicianId: string, input: RequestInput) {
  const key = { technician_id: technicianId, tenant: input.tenant, profile: input.profile };
  const pending = trx('access_requests').where(key).andWhere('status', 'pending').select('id');
  const live = trx('grants')
    .where(key)
    .whereIn('status', LIVE_GRANT_STATUSES)
    .andWhere('ends_at', '>', trx.fn.now())
    .select('id');
  // Both checks in one statement: a pending request first, else a live grant.
  const existing = await trx
    .select(trx.raw('coalesce((?), (?)) as id', [pending.limit(1), live.limit(1)]))
    .first();
  if (existing?.id) {
    throw conflict(
      'request.duplicate_live',
      'You already have a pending request or a live grant for this tenant and profile',
      { existing: existing.id },
    );
  }
}

// A replay must carry the same request; the same key with another body is a
// client bug that must not silently return the wrong request.
function sameRequest(earlier: RequestRow, input: RequestInput, seconds: number, ticket: unknown) {
  const same =
    earlier.tenant === input.tenant &&
    earlier.profile === input.profile &&
    earlier.duration_seconds === seconds &&
    earlier.justification === input.justification &&
    earlier.ticket === ticket;
  if (!same) {
    throw conflict(
      'request.idempotency_key_reused',
      'This Idempotency-Key was used for a different request',
    );
  }
  return earlier;
}

async function replayOutcome(deps: AccessDeps, row: RequestRow): Promise<RequestOutcome> {
  const grant = await deps.db('grants').where({ request_id: row.id }).first('id', 'status');
  return { request: requestView(row, grant ?? null), replayed: true };
}
