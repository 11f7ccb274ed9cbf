/**
 * The second factor of sign-in and step-up: a TOTP code, or a recovery code.
 * Checking happens in two parts. `matchSecondFactor` does the arithmetic and
 * touches no row; `claimSecondFactor` then spends the code inside the caller's
 * transaction with one conditional UPDATE, so a code works once even when the
 * same one arrives many times at the same moment.
 */
import type { Knex } from 'knex';
import type { Config } from '../platform/config';
import { consumeRecoveryCode, looksLikeRecoveryCode } from './recovery-codes';
import { checkTotpCode } from './totp';
import { openTotpSecret } from './totp-secret-box';

/** The MFA fields of a technician row. */
export interface MfaState {
  id: string;
  totp_secret_enc: string | null;
  totp_key_id: string | null;
  totp_last_step: number | null;
}

/** A code that matched, not yet spent. */
export type FactorMatch = { kind: 'totp'; step: number } | { kind: 'recovery'; code: string };

/** What a code matches for this technician, if anything. Never throws on bad input. */
export async function matchSecondFactor(
  config: Pick<Config, 'totpKeys'>,
  technician: MfaState,
  code: string,
  options: { allowRecovery: boolean },
): Promise<FactorMatch | undefined> {
  if (options.allowRecovery && looksLikeRecoveryCode(code)) return { kind: 'recovery', code };
  if (!technician.totp_secret_enc || !technician.totp_key_id) return undefined;
  const secret = openTotpSecret(config.totpKeys, technician.id, {
    keyId: technician.totp_key_id,
    sealed: technician.totp_secret_enc,
  });
  const step = await checkTotpCode(secret, code, { afterStep: technician.totp_last_step });
  return step === undefined ? undefined : { kind: 'totp', step };
}

/**
 * Spends a matched code within `trx`: true for exactly one of any number of
 * concurrent callers, false for a code used before.
 */
export async function claimSecondFactor(
  trx: Knex.Transaction,
  technicianId: string,
  match: FactorMatch,
): Promise<boolean> {
  if (match.kind === 'recovery') return consumeRecoveryCode(trx, technicianId, match.code);
  const updated = await trx('technicians')
    .where({ id: technicianId })
    .andWhere((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', match.step))
    .update({ totp_last_step: match.step });
  return updated === 1;
}
