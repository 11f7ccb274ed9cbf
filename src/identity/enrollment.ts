/**
 * Enrollment with a one-time token from an admin: set a password, receive a
 * TOTP secret (URI and QR code), confirm it with a first code, receive the
 * recovery codes. The token works for both calls until the confirmation
 * spends it; until then the account stays `pending` and cannot sign in.
 */
import { appendAudit } from '../audit/append';
import { unauthorized } from '../platform/errors';
import QRCode from 'qrcode';
import type { ClientInfo, IdentityContext } from './identity-context';
import { recordFailure } from './lockout';
import { assertAcceptablePassword, hashPassword } from './passwords';
import { replaceRecoveryCodes } from './recovery-codes';
import { claimSecondFactor, matchSecondFactor } from './second-factor';
import { digestSecret } from './secret-tokens';
import { newTotpSecret, totpUri } from './totp';
import { sealTotpSecret } from './totp-secret-box';
import type { Database } from '../platform/database';

/** What the first enrollment step answers. */
export interface EnrollmentSecret {
  otpauth_uri: string;
  /** The same URI as a PNG `data:` URL, for the web form. */
  qr_code: string;
}

function invalidEnrollment() {
  return unauthorized('auth.invalid_enrollment_token', 'invalid or expired enrollment token');
}

// The technician a live token belongs to, if it is still pending.
async function holderOf(db: Database, token: string) {
  const holder = await db('enrollment_tokens as e')
    .join('technicians as t', 't.id', 'e.technician_id')
    .where('e.token_hash', digestSecret(token))
    .whereNull('e.used_at')
    .andWhere('e.expires_at', '>', db.fn.now())
    .andWhere('t.status', 'pending')
    .first(
      'e.id as token_id',
      't.id',
      't.email',
      't.totp_secret_enc',
      't.totp_key_id',
      't.totp_last_step',
      db.raw(`coalesce(t.locked_until > now(), false) as locked`),
    );
  // A locked account cannot go on guessing first codes either.
  if (!holder || holder.locked) throw invalidEnrollment();
  return holder;
}

/** Step one: set the password and receive a new TOTP secret. */
export async function beginEnrollment(
  ctx: IdentityContext,
  token: string,
  password: string,
): Promise<EnrollmentSecret> {
  const { db, config } = ctx;
  const holder = await holderOf(db, token);
  assertAcceptablePassword(password, holder.email);

  const secret = newTotpSecret();
  const sealed = sealTotpSecret(config.totpKeys, holder.id, secret);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    await trx('technicians').where({ id: holder.id }).update({
      password_hash: passwordHash,
      totp_secret_enc: sealed.sealed,
      totp_key_id: sealed.keyId,
      totp_last_step: null,
    });
    await appendAudit(trx, {
      tenant: 'msp',
      actor: { kind: 'technician', id: holder.id },
      action: 'auth.enrollment_started',
      subject: holder.id,
      data: { totp_key_id: sealed.keyId },
    });
  });

  const uri = totpUri(secret, holder.email);
  return { otpauth_uri: uri, qr_code: await QRCode.toDataURL(uri) };
}

/** Step two: a first code confirms the authenticator; returns the recovery codes once. */
export async function confirmEnrollment(
  ctx: IdentityContext,
  token: string,
  code: string,
  client: ClientInfo,
): Promise<string[]> {
  const { db, config } = ctx;
  const holder = await holderOf(db, token);
  if (!holder.totp_secret_enc) {
    throw unauthorized('auth.enrollment_not_started', 'set a password before confirming');
  }

  const match = await matchSecondFactor(config, holder, code, { allowRecovery: false });
  const codes = match
    ? await db.transaction(async (trx) => {
        const spent = await trx('enrollment_tokens')
          .where({ id: holder.token_id })
          .whereNull('used_at')
          .update({ used_at: trx.fn.now() });
        if (spent !== 1 || !(await claimSecondFactor(trx, holder.id, match))) return undefined;
        await trx('technicians')
          .where({ id: holder.id })
          .update({ status: 'active', mfa_enrolled_at: trx.fn.now(), failed_logins: 0 });
        const recovery = await replaceRecoveryCodes(trx, holder.id);
        await appendAudit(trx, {
          tenant: 'msp',
          actor: { kind: 'technician', id: holder.id },
          action: 'auth.enrolled',
          subject: holder.id,
          data: { recovery_code_count: recovery.length },
        });
        return recovery;
      })
    : undefined;

  if (!codes) {
    await recordFailure(ctx, holder.id, 'enroll_confirm', client);
    throw unauthorized('auth.invalid_credentials', 'invalid credentials');
  }
  return codes;
}
