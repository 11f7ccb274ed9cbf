/**
 * Login sessions: what an access token points at. A session starts after
 * password and second factor, lives at most LOGIN_SESSION_TTL, and ends on
 * sign-out, disabling, MFA reset or offboarding. Tokens are cheap to re-issue
 * (refresh, step-up) because every request checks the session row.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { appendAudit } from '../audit/append';
import type { ClientInfo, IdentityContext } from './identity-context';

/** The answer of every call that hands out an access token. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** When the holder last passed MFA (ISO 8601). */
  mfa_at: string;
}

/** Opens a login session within `trx`; returns its id and MFA time. */
export async function openLoginSession(
  trx: Knex.Transaction,
  ctx: IdentityContext,
  technicianId: string,
  client: ClientInfo,
) {
  const id = randomUUID();
  const mfaAt = new Date();
  await trx('login_sessions').insert({
    id,
    technician_id: technicianId,
    mfa_at: mfaAt,
    expires_at: new Date(mfaAt.getTime() + ctx.config.loginSessionTtl * 1000),
    client_ip: client.ip ?? null,
    user_agent: client.userAgent?.slice(0, 300) ?? null,
  });
  return { id, mfaAt };
}

/** A signed access token for a session, in the response shape clients read. */
export function tokenResponse(
  ctx: IdentityContext,
  technicianId: string,
  sessionId: string,
  mfaAt: Date,
): TokenResponse {
  // Whole seconds, rounded down: the token never claims a later MFA than the real one.
  const mfa = Math.floor(mfaAt.getTime() / 1000);
  return {
    access_token: ctx.tokens.sign({ sub: technicianId, sid: sessionId, mfa }),
    token_type: 'Bearer',
    expires_in: ctx.tokens.ttl,
    mfa_at: new Date(mfa * 1000).toISOString(),
  };
}

/** Ends every live session of a technician within `trx`; returns how many. */
export async function endAllSessions(
  trx: Knex.Transaction,
  technicianId: string,
  reason: string,
): Promise<number> {
  return trx('login_sessions')
    .where({ technician_id: technicianId })
    .whereNull('ended_at')
    .update({ ended_at: trx.fn.now(), end_reason: reason });
}

/** Ends the caller's own session (sign-out), audited. */
export async function signOut(ctx: IdentityContext, technicianId: string, sessionId: string) {
  await ctx.db.transaction(async (trx) => {
    const ended = await trx('login_sessions')
      .where({ id: sessionId, technician_id: technicianId })
      .whereNull('ended_at')
      .update({ ended_at: trx.fn.now(), end_reason: 'logout' });
    if (ended === 0) return;
    await appendAudit(trx, {
      tenant: 'msp',
      actor: { kind: 'technician', id: technicianId },
      action: 'auth.logged_out',
      subject: technicianId,
      data: { session_id: sessionId },
    });
  });
}
