/**
 * Step-up: a signed-in technician proves MFA again with a fresh code, and the
 * session's MFA time moves to now. Elevated actions (approvals, elevated
 * requests, emergencies) call `assertFreshMfa` and answer
 * `auth.step_up_required` until this has happened within STEP_UP_MAX_AGE.
 *
 * Failed codes count towards lockout like failed sign-ins: a stolen token
 * must not become a way to guess codes.
 */
import { appendAudit } from '../audit/append';
import type { Principal } from './authenticate';
import type { ClientInfo, IdentityContext } from './identity-context';
import { LOCKED_NOW, recordFailure } from './lockout';
import { tokenResponse, type TokenResponse } from './login-sessions';
import { claimSecondFactor, matchSecondFactor } from './second-factor';
import { invalidCredentials } from './sign-in';

/** Checks a fresh code and returns a token carrying the new MFA time. */
export async function stepUp(
  ctx: IdentityContext,
  principal: Principal,
  code: string,
  client: ClientInfo,
): Promise<TokenResponse> {
  const { db, config } = ctx;
  const technician = await db('technicians')
    .where({ id: principal.technicianId })
    .first('id', 'totp_secret_enc', 'totp_key_id', 'totp_last_step', db.raw(LOCKED_NOW));
  if (!technician || technician.locked) {
    await recordFailure(ctx, principal.technicianId, 'locked', client);
    throw invalidCredentials();
  }

  const match = await matchSecondFactor(config, technician, code, { allowRecovery: true });
  const mfaAt = match
    ? await db.transaction(async (trx) => {
        if (!(await claimSecondFactor(trx, technician.id, match))) return undefined;
        const now = new Date();
        await trx('technicians')
          .where({ id: technician.id })
          .update({ failed_logins: 0, locked_until: null });
        await trx('login_sessions').where({ id: principal.sessionId }).update({ mfa_at: now });
        await appendAudit(trx, {
          tenant: 'msp',
          actor: { kind: 'technician', id: technician.id },
          action: 'auth.step_up',
          subject: technician.id,
          data: { session_id: principal.sessionId, factor: match.kind },
        });
        return now;
      })
    : undefined;

  if (!mfaAt) {
    await recordFailure(ctx, technician.id, 'step_up', client);
    throw invalidCredentials();
  }
  return tokenResponse(ctx, technician.id, principal.sessionId, mfaAt);
}

/** A new token for the same live session; the MFA time stays as it was. */
export function refresh(ctx: IdentityContext, principal: Principal): TokenResponse {
  return tokenResponse(ctx, principal.technicianId, principal.sessionId, principal.mfaAt);
}
