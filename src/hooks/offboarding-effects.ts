/**
 * The steps both offboarding hooks share: cancelling pending requests and
 * marking live grants for revocation, each with its audit event in its own
 * tenant, collected per tenant for the receipt.
 */
import type { Knex } from 'knex';
import type { Actor } from '../audit/actions';
import { appendAudit } from '../audit/append';
import { lockAuditHeads } from '../revocation/lock-audit-heads';
import { markRevoking } from '../revocation/request-revocation';
import { LIVE_STATUSES } from '../revocation/revocation-types';
import type { TenantEffects } from './hook-receipts';

/** Narrows a query on access_requests or grants to the rows concerned. */
export type Filter = (query: Knex.QueryBuilder) => Knex.QueryBuilder;

/** Why an offboarding happens, for every audit event it writes. */
export interface OffboardingCause {
  actor: Actor;
  reason: string;
  eventId: string;
}

/**
 * Cancels the pending requests matched by `filters.requests` and marks the
 * live grants matched by `filters.grants`; returns what each tenant saw.
 * `alsoAudited` names tenants the caller will append to as well (`msp`), so
 * that every audit head is locked up front in one order.
 */
export async function cancelAndRevoke(
  trx: Knex.Transaction,
  filters: { requests: Filter; grants: Filter },
  cause: OffboardingCause,
  alsoAudited: string[] = [],
): Promise<Record<string, TenantEffects>> {
  const touched: string[] = await filters
    .requests(trx('access_requests'))
    .where({ status: 'pending' })
    .distinct()
    .pluck('tenant');
  const withGrants: string[] = await filters
    .grants(trx('grants'))
    .whereIn('status', LIVE_STATUSES)
    .distinct()
    .pluck('tenant');
  await lockAuditHeads(trx, [...touched, ...withGrants, ...alsoAudited]);

  const tenants: Record<string, TenantEffects> = {};
  const effectsOf = (slug: string) => (tenants[slug] ??= { requests_cancelled: 0, grants: [] });

  const cancelled: { id: string; tenant: string; technician_id: string }[] = await filters
    .requests(trx('access_requests'))
    .where({ status: 'pending' })
    .update({ status: 'cancelled', decided_at: trx.fn.now(), decision_note: cause.reason })
    .returning(['id', 'tenant', 'technician_id']);
  cancelled.sort((a, b) => a.tenant.localeCompare(b.tenant) || a.id.localeCompare(b.id));
  for (const request of cancelled) {
    await appendAudit(trx, {
      tenant: request.tenant,
      actor: cause.actor,
      action: 'request.cancelled',
      subject: request.id,
      data: { technician_id: request.technician_id, reason: cause.reason, event_id: cause.eventId },
    });
    effectsOf(request.tenant).requests_cancelled += 1;
  }

  const grants = await markRevoking(trx, filters.grants, {
    actor: cause.actor,
    reason: cause.reason,
    context: { event_id: cause.eventId },
  });
  for (const grant of grants) effectsOf(grant.tenant).grants.push(grant.id);
  return tenants;
}
