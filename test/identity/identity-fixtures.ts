/**
 * Test helpers for identity: enrolled technicians made directly in the
 * database (real password hash, sealed TOTP secret), and TOTP codes computed
 * by oathtool, an implementation independent of otplib.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/identity/passwords';
import type { Role } from '../../src/identity/roles';
import { newTotpSecret } from '../../src/identity/totp';
import { sealTotpSecret } from '../../src/identity/totp-secret-box';
import type { Config } from '../../src/platform/config';
import type { Database } from '../../src/platform/database';

/** The password every fixture technician has. */
export const PASSWORD = 'correct horse battery staple 42';

/** The TOTP code for `secret` at now + `offsetSeconds`, from oathtool. */
export function oathCode(secret: string, offsetSeconds = 0): string {
  const at = Math.floor(Date.now() / 1000) + offsetSeconds;
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${at}`, secret], {
    encoding: 'utf8',
  }).trim();
}

/** An active, enrolled technician with a known password and TOTP secret. */
export async function enrolledTechnician(
  db: Database,
  config: Config,
  fields: { role?: Role; email?: string } = {},
) {
  const id = randomUUID();
  const role = fields.role ?? 'technician';
  const email = fields.email ?? `${role}-${id.slice(0, 8)}@msp.example`;
  const secret = newTotpSecret();
  const sealed = sealTotpSecret(config.totpKeys, id, secret);
  await db('technicians').insert({
    id,
    email,
    display_name: email.split('@')[0],
    role,
    status: 'active',
    password_hash: await hashPassword(PASSWORD),
    totp_secret_enc: sealed.sealed,
    totp_key_id: sealed.keyId,
    mfa_enrolled_at: new Date(),
  });
  return { id, email, role, secret };
}

/** Audit actions written to tenant msp about `subject`, in order. */
export async function auditActions(db: Database, subject: string): Promise<string[]> {
  const rows = await db('audit_events')
    .where({ tenant: 'msp', subject })
    .orderBy('seq')
    .select('action');
  return rows.map((row) => row.action as string);
}
