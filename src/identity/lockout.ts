/**
 * Failed sign-in bookkeeping. Each failure (wrong password, wrong code) adds
 * one to the account's counter; from LOGIN_MAX_FAILURES on, every further
 * failure locks the account for LOCKOUT_BASE seconds doubled per extra
 * failure, up to LOCKOUT_MAX. A full sign-in resets the counter. So an account
 * never takes more than LOGIN_MAX_FAILURES (at most 100) failures unlocked.
 *
 * A failure is recorded and audited in its own transaction: the sign-in
 * itself fails, but its trace must stay.
 */
import { appendAudit } from '../audit/append';
import type { Actor } from '../audit/actions';
import { logger } from '../platform/logger';
import type { ClientInfo, IdentityContext } from './identity-context';

/** Which step of sign-in failed. */
export type FailureStage =
  | 'password'
  | 'code'
  | 'step_up'
  | 'enroll_confirm'
  /** Audited, not counted: the account is locked already. */
  | 'locked'
  /** Audited, not counted: the account is pending or disabled. */
  | 'not_active';

const UNCOUNTED: FailureStage[] = ['locked', 'not_active'];

/**
 * Records one failure for `technicianId` (null: unknown account, audited
 * only). Attempts on a locked or inactive account are audited but not
 * counted, so that an attacker cannot stretch a lockout for ever.
 */
export async function recordFailure(
  ctx: IdentityContext,
  technicianId: string | null,
  stage: FailureStage,
  client: ClientInfo,
): Promise<void> {
  const { db, config } = ctx;
  const actor: Actor = technicianId
    ? { kind: 'technician', id: technicianId }
    : { kind: 'anonymous', id: null };
  await db.transaction(async (trx) => {
    let lockedUntil: Date | null = null;
    if (technicianId && !UNCOUNTED.includes(stage)) {
      const [row] = await trx('technicians')
        .where({ id: technicianId })
        .update({
          failed_logins: trx.raw('failed_logins + 1'),
          locked_until: trx.raw(
            `case when failed_logins + 1 >= :max
               then now() + make_interval(secs => least(:base * power(2, failed_logins + 1 - :max), :cap))
               else locked_until end`,
            { max: config.loginMaxFailures, base: config.lockoutBase, cap: config.lockoutMax },
          ),
        })
        .returning(['failed_logins', 'locked_until']);
      if (row && row.failed_logins >= config.loginMaxFailures) lockedUntil = row.locked_until;
    }
    await appendAudit(trx, {
      tenant: 'msp',
      actor,
      action: 'auth.login_failed',
      subject: technicianId,
      data: { stage, client_ip: client.ip ?? null },
    });
    if (lockedUntil) {
      await appendAudit(trx, {
        tenant: 'msp',
        actor,
        action: 'auth.locked_out',
        subject: technicianId,
        data: { until: lockedUntil.toISOString(), client_ip: client.ip ?? null },
      });
      logger.warn('account locked', { technician_id: technicianId });
    }
  });
}

/** SQL for "locked right now", evaluated on the database clock. */
export const LOCKED_NOW = 'coalesce(locked_until > now(), false) as locked';
