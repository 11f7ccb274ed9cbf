/**
 * One-time recovery codes, for when the authenticator is lost. Each has 80
 * random bits (16 base32 characters, shown as four groups), so a plain SHA-256
 * digest is enough to keep them: an offline search of 2^80 is out of reach.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { digestSecret } from './secret-tokens';

/** How many codes an enrollment hands out. */
export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Upper case without separators, so `abcd-efgh ...` and `ABCDEFGH...` match. */
export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** Whether `code` has the shape of a recovery code (not whether it is valid). */
export function looksLikeRecoveryCode(code: string): boolean {
  return /^[A-Z2-7]{16}$/.test(normaliseRecoveryCode(code));
}

function newCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((byte) => ALPHABET[byte % 32]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** Replaces a technician's recovery codes with fresh ones; returns them in clear, once. */
export async function replaceRecoveryCodes(trx: Knex.Transaction, technicianId: string) {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await trx('recovery_codes').where({ technician_id: technicianId }).delete();
  await trx('recovery_codes').insert(
    codes.map((code) => ({
      id: randomUUID(),
      technician_id: technicianId,
      code_hash: digestSecret(normaliseRecoveryCode(code)),
    })),
  );
  return codes;
}

/** Marks an unused code as used; true only for the one caller that did so. */
export async function consumeRecoveryCode(
  trx: Knex.Transaction,
  technicianId: string,
  code: string,
): Promise<boolean> {
  const updated = await trx('recovery_codes')
    .where({ technician_id: technicianId, code_hash: digestSecret(normaliseRecoveryCode(code)) })
    .whereNull('used_at')
    .update({ used_at: trx.fn.now() });
  return updated === 1;
}
