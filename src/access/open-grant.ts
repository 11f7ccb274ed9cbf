/**
 * Turns an approved request into a grant in `issuing`, inside the approving
 * transaction, with its two audit events. The credential itself is issued
 * after commit by GrantIssuance, so Vault is never called under a row lock.
 * A caller that records an event of its own in the same step passes it in,
 * and all go to the chain in one round trip.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../audit/actions';
import { appendAuditEvents, type AuditEntry } from '../audit/append';
import type { AccessProfile } from '../policies/access-profile';
import type { OpenedGrant } from './grant-issuance';
import type { RequestRow } from './request-row';

/**
 * Marks `request` approved (unless it was written approved) and inserts its
 * grant; `earlier` are events recorded before the grant's own. Returns the
 * grant as GrantIssuance takes it, but for the holder's e-mail.
 */
export async function openGrant(
  trx: Knex.Transaction,
  request: RequestRow,
  profile: AccessProfile,
  actor: Actor,
  note: string | null,
  earlier: AuditEntry[] = [],
): Promise<Omit<OpenedGrant, 'email'>> {
  const now = request.decided_at ?? new Date();
  if (request.status !== 'approved') {
    await trx('access_requests')
      .where({ id: request.id })
      .update({ status: 'approved', decided_at: now, decision_note: note });
  }
  const grantId = randomUUID();
  const endsAt = new Date(now.getTime() + request.duration_seconds * 1000);
  await trx('grants').insert({
    id: grantId,
    request_id: request.id,
    tenant: request.tenant,
    technician_id: request.technician_id,
    profile: request.profile,
    credential_kind: profile.credential,
    status: 'issuing',
    starts_at: now,
    ends_at: endsAt,
  });
  await appendAuditEvents(trx, [
    ...earlier,
    {
      tenant: request.tenant,
      actor,
      action: 'request.approved',
      subject: request.id,
      data: { profile: request.profile, technician_id: request.technician_id, note },
    },
    {
      tenant: request.tenant,
      actor,
      action: 'grant.issuing',
      subject: grantId,
      data: {
        request_id: request.id,
        technician_id: request.technician_id,
        profile: request.profile,
        credential_kind: profile.credential,
        starts_at: now.toISOString(),
        ends_at: endsAt.toISOString(),
      },
    },
  ]);
  const { tenant, profile: profileName, technician_id } = request;
  return { id: grantId, tenant, profile: profileName, technician_id, ends_at: endsAt };
}
