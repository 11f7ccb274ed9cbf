/**
 * Turns an approved request into a grant in `issuing`, inside the approving
 * transaction, with its two audit events. The credential itself is issued
 * after commit by GrantIssuance, so Vault is never called under a row lock.
 * A caller that writes and records something of its own in the same step
 * passes its change and event in, and all go in one round trip.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Actor } from '../audit/actions';
import { appendAuditEventsWith, type AuditEntry } from '../audit/append';
import type { AccessProfile } from '../policies/access-profile';
import type { OpenedGrant } from './grant-issuance';
import type { RequestRow } from './request-row';

/** What the caller writes and records in the same step, before the grant. */
export interface EarlierInStep {
  /** Inserts or updates not yet run, each of which must touch a row. */
  changes?: Knex.QueryBuilder[];
  events?: AuditEntry[];
}

/**
 * Marks `request` approved (unless it was written approved) and inserts its
 * grant, after `earlier`. Returns the grant as GrantIssuance takes it, but for
 * the holder's e-mail.
 */
export async function openGrant(
  trx: Knex.Transaction,
  request: RequestRow,
  profile: AccessProfile,
  actor: Actor,
  note: string | null,
  earlier: EarlierInStep = {},
): Promise<Omit<OpenedGrant, 'email'>> {
  const now = request.decided_at ?? new Date();
  const changes = [...(earlier.changes ?? [])];
  if (request.status !== 'approved') {
    changes.push(
      trx('access_requests')
        .where({ id: request.id })
        .update({ status: 'approved', decided_at: now, decision_note: note }),
    );
  }
  const grantId = randomUUID();
  const endsAt = new Date(now.getTime() + request.duration_seconds * 1000);
  changes.push(
    trx('grants').insert({
      id: grantId,
      request_id: request.id,
      tenant: request.tenant,
      technician_id: request.technician_id,
      profile: request.profile,
      credential_kind: profile.credential,
      status: 'issuing',
      starts_at: now,
      ends_at: endsAt,
    }),
  );
  const events = await appendAuditEventsWith(trx, { changes }, [
    ...(earlier.events ?? []),
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
  if (!events) throw new Error('opening a grant changed no row');
  const { tenant, profile: profileName, technician_id } = request;
  return { id: grantId, tenant, profile: profileName, technician_id, ends_at: endsAt };
}
