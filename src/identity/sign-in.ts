/**
 * Sign-in in two steps (DESIGN.md invariant 1). The password step answers a
 * short-lived, single-use challenge; the code step trades that challenge and
 * a TOTP or recovery code for a login session and an access token.
 *
 * Every refusal is the same 401 `auth.invalid_credentials`, whether the
 * account is unknown, the password or code wrong, the account locked,
 * disabled or not yet enrolled: an attacker learns nothing from the answer.
 * Unknown accounts still cost one scrypt run, so timing tells little either.
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/append';
import { unauthorized } from '../platform/errors';
import type { ClientInfo, IdentityContext } from './identity-context';
import { openLoginSession, tokenResponse, type TokenResponse } from './login-sessions';
import { LOCKED_NOW, recordFailure } from './lockout';
import { verifyAgainstDummy, verifyPassword } from './passwords';
import { claimSecondFactor, matchSecondFactor } from './second-factor';
import { digestSecret, randomSecret } from './secret-tokens';

/** The one refusal of sign-in. */
export function invalidCredentials() {
  return unauthorized('auth.invalid_credentials', 'invalid credentials');
}

/** What the password step answers. */
export interface Challenge {
  challenge: string;
  expires_in: number;
}

/** Step one: email and password. Returns a challenge for the code step. */
export async function checkPassword(
  ctx: IdentityContext,
  email: string,
  password: string,
  client: ClientInfo,
): Promise<Challenge> {
  const { db, config } = ctx;
  const technician = await db('technicians')
    .whereRaw('lower(email) = lower(?)', [email])
    .first('id', 'status', 'password_hash', 'mfa_enrolled_at', db.raw(LOCKED_NOW));

  if (!technician?.password_hash) {
    await verifyAgainstDummy(password);
    await recordFailure(
      ctx,
      technician?.id ?? null,
      technician ? 'not_active' : 'password',
      client,
    );
    throw invalidCredentials();
  }
  const passwordOk = await verifyPassword(password, technician.password_hash);
  if (technician.locked) {
    await recordFailure(ctx, technician.id, 'locked', client);
    throw invalidCredentials();
  }
  if (!passwordOk) {
    await recordFailure(ctx, technician.id, 'password', client);
    throw invalidCredentials();
  }
  if (technician.status !== 'active' || !technician.mfa_enrolled_at) {
    await recordFailure(ctx, technician.id, 'not_active', client);
    throw invalidCredentials();
  }

  const challenge = randomSecret();
  await db('login_challenges').insert({
    id: randomUUID(),
    technician_id: technician.id,
    challenge_hash: digestSecret(challenge),
    expires_at: new Date(Date.now() + config.loginChallengeTtl * 1000),
    client_ip: client.ip ?? null,
  });
  // Spent and expired challenges serve nothing; this account's go now.
  await db('login_challenges')
    .where({ technician_id: technician.id })
    .andWhere('expires_at', '<', db.fn.now())
    .delete();
  return { challenge, expires_in: config.loginChallengeTtl };
}

/**
 * Step two: the challenge and a TOTP or recovery code. The challenge is spent
 * whatever the outcome, so each guess at a code costs a correct password too.
 */
export async function completeSignIn(
  ctx: IdentityContext,
  challenge: string,
  code: string,
  client: ClientInfo,
): Promise<TokenResponse> {
  const { db, config } = ctx;
  const [spent] = await db('login_challenges')
    .where({ challenge_hash: digestSecret(challenge) })
    .whereNull('used_at')
    .andWhere('expires_at', '>', db.fn.now())
    .update({ used_at: db.fn.now() })
    .returning('technician_id');
  if (!spent) throw invalidCredentials();

  const technician = await db('technicians')
    .where({ id: spent.technician_id, status: 'active' })
    .first('id', 'totp_secret_enc', 'totp_key_id', 'totp_last_step', db.raw(LOCKED_NOW));
  if (!technician || technician.locked) {
    const stage = technician ? 'locked' : 'not_active';
    await recordFailure(ctx, spent.technician_id, stage, client);
    throw invalidCredentials();
  }

  const match = await matchSecondFactor(config, technician, code, { allowRecovery: true });
  const session = match
    ? await db.transaction(async (trx) => {
        if (!(await claimSecondFactor(trx, technician.id, match))) return undefined;
        await trx('technicians')
          .where({ id: technician.id })
          .update({ failed_logins: 0, locked_until: null });
        const opened = await openLoginSession(trx, ctx, technician.id, client);
        const actor = { kind: 'technician' as const, id: technician.id };
        await appendAudit(trx, {
          tenant: 'msp',
          actor,
          action: 'auth.login_succeeded',
          subject: technician.id,
          data: { session_id: opened.id, factor: match.kind, client_ip: client.ip ?? null },
        });
        if (match.kind === 'recovery') {
          await appendAudit(trx, {
            tenant: 'msp',
            actor,
            action: 'auth.recovery_code_used',
            subject: technician.id,
          });
        }
        return opened;
      })
    : undefined;

  if (!session) {
    await recordFailure(ctx, technician.id, 'code', client);
    throw invalidCredentials();
  }
  return tokenResponse(ctx, technician.id, session.id, session.mfaAt);
}
