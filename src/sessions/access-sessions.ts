/**
 * Access sessions: the time a technician actually uses a grant, from checkout
 * to close. The holder sends heartbeats while working and closes the session
 * when done; for a single-session profile, closing also ends the grant.
 * Expiry and revocation close sessions too (src/revocation).
 */
import type { Knex } from 'knex';
import { appendAudit } from '../audit/append';
import type { Actor } from '../audit/actions';
import type { Principal } from '../identity/authenticate';
import type { PolicySet } from '../policies/policy-set';
import type { Database } from '../platform/database';
import { conflict, forbidden, notFound } from '../platform/errors';

/** Ends a grant early (src/revocation provides it). */
export type EndGrant = (
  trx: Knex.Transaction,
  grant: { id: string },
  actor: Actor,
  reason: string,
) => Promise<unknown>;

/** Dependencies of the session operations. */
export interface SessionDeps {
  db: Database;
  /** The policy set in force (a function, so a reload can swap it). */
  policies: () => PolicySet;
  endGrant?: EndGrant;
}

/** A session as the API shows it. */
export interface SessionView {
  id: string;
  grant_id: string;
  tenant: string;
  status: 'open' | 'closed';
  opened_at: string;
  last_heartbeat_at: string | null;
  closed_at: string | null;
  close_reason: string | null;
}

interface SessionRow {
  id: string;
  grant_id: string;
  tenant: string;
  technician_id: string;
  opened_at: Date;
  last_heartbeat_at: Date | null;
  closed_at: Date | null;
  close_reason: string | null;
  grant_status: string;
  grant_profile: string;
}

function toView(row: SessionRow): SessionView {
  return {
    id: row.id,
    grant_id: row.grant_id,
    tenant: row.tenant,
    status: row.closed_at ? 'closed' : 'open',
    opened_at: row.opened_at.toISOString(),
    last_heartbeat_at: row.last_heartbeat_at?.toISOString() ?? null,
    closed_at: row.closed_at?.toISOString() ?? null,
    close_reason: row.close_reason,
  };
}

async function lockOwnOpenSession(trx: Knex.Transaction, principal: Principal, id: string) {
  const row: SessionRow | undefined = await trx('access_sessions as s')
    .join('grants as g', 'g.id', 's.grant_id')
    .where('s.id', id)
    .forUpdate('s')
    .first('s.*', 'g.status as grant_status', 'g.profile as grant_profile');
  if (!row) throw notFound('session.not_found', 'No such access session');
  if (row.technician_id !== principal.technicianId) {
    throw forbidden('session.not_holder', 'Only the holder may use this access session');
  }
  if (row.closed_at) throw conflict('session.closed', 'This access session is closed');
  return row;
}

function actorOf(principal: Principal): Actor {
  return { kind: 'technician', id: principal.technicianId };
}

/** Records that the holder is still working; refused once the grant is no longer active. */
export async function heartbeat(deps: SessionDeps, principal: Principal, id: string) {
  return deps.db.transaction(async (trx) => {
    const row = await lockOwnOpenSession(trx, principal, id);
    if (row.grant_status !== 'active') {
      throw conflict('session.grant_ended', 'The grant of this session has ended');
    }
    const [updated] = await trx('access_sessions')
      .where({ id })
      .update({ last_heartbeat_at: trx.fn.now() })
      .returning('last_heartbeat_at');
    await appendAudit(trx, {
      tenant: row.tenant,
      actor: actorOf(principal),
      action: 'session.heartbeat',
      subject: id,
      data: { grant_id: row.grant_id },
    });
    return toView({ ...row, last_heartbeat_at: updated.last_heartbeat_at });
  });
}

/** Closes the holder's session; a single-session profile's grant ends with it. */
export async function closeSession(deps: SessionDeps, principal: Principal, id: string) {
  return deps.db.transaction(async (trx) => {
    const row = await lockOwnOpenSession(trx, principal, id);
    const [closed] = await trx('access_sessions')
      .where({ id })
      .update({ closed_at: trx.fn.now(), close_reason: 'closed by holder' })
      .returning(['closed_at', 'close_reason']);
    await appendAudit(trx, {
      tenant: row.tenant,
      actor: actorOf(principal),
      action: 'session.closed',
      subject: id,
      data: { grant_id: row.grant_id, reason: 'closed by holder' },
    });

    const profile = deps.policies().profile(row.tenant, row.grant_profile);
    if (profile?.singleSession && row.grant_status === 'active' && deps.endGrant) {
      await deps.endGrant(trx, { id: row.grant_id }, actorOf(principal), 'single session closed');
    }
    return toView({ ...row, ...closed });
  });
}

/** One session of the caller's own. */
export async function getSession(db: Database, principal: Principal, id: string) {
  const row: SessionRow | undefined = await db('access_sessions as s')
    .join('grants as g', 'g.id', 's.grant_id')
    .where('s.id', id)
    .first('s.*', 'g.status as grant_status', 'g.profile as grant_profile');
  if (!row || row.technician_id !== principal.technicianId) {
    throw notFound('session.not_found', 'No such access session');
  }
  return toView(row);
}
