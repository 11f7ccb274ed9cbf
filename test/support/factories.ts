/**
 * Test data made directly in the database, so that a test of one feature does
 * not depend on the API of another. Signing in here skips password and TOTP on
 * purpose; the identity tests cover those.
 */
import { randomUUID } from 'node:crypto';
import { AccessTokens } from '../../src/identity/access-tokens';
import type { Role } from '../../src/identity/roles';
import { loadConfig, type Config } from '../../src/platform/config';
import type { Database } from '../../src/platform/database';

/** The configuration tests run with, with optional overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'error', ...overrides });
}

/** A customer tenant. */
export async function createTenant(db: Database, slug = `t-${randomUUID().slice(0, 8)}`) {
  await db('tenants').insert({ slug, name: `Customer ${slug}` });
  return slug;
}

/** A technician row, active with MFA enrolled unless said otherwise. */
export async function createTechnician(
  db: Database,
  fields: { role?: Role; email?: string; status?: string; auditorTenant?: string } = {},
) {
  const id = randomUUID();
  const role = fields.role ?? 'technician';
  const email = fields.email ?? `${role}-${id.slice(0, 8)}@msp.example`;
  await db('technicians').insert({
    id,
    email,
    display_name: email.split('@')[0],
    role,
    auditor_tenant: fields.auditorTenant ?? null,
    status: fields.status ?? 'active',
    mfa_enrolled_at: new Date(),
  });
  return { id, email, role };
}

/** Assigns a technician to a tenant as technician or manager. */
export async function assign(
  db: Database,
  tenant: string,
  technicianId: string,
  relation: 'technician' | 'manager' = 'technician',
) {
  await db('assignments').insert({ tenant, technician_id: technicianId, relation });
}

/**
 * A bearer token for a technician through a fresh login session, as if they
 * had just passed password and TOTP (`mfaAgoSeconds` back-dates the MFA).
 */
export async function signIn(
  db: Database,
  config: Config,
  technicianId: string,
  options: { mfaAgoSeconds?: number } = {},
) {
  const sessionId = randomUUID();
  const mfaAt = new Date(Date.now() - (options.mfaAgoSeconds ?? 0) * 1000);
  await db('login_sessions').insert({
    id: sessionId,
    technician_id: technicianId,
    mfa_at: mfaAt,
    expires_at: new Date(Date.now() + 12 * 3600 * 1000),
  });
  const token = new AccessTokens(config).sign({
    sub: technicianId,
    sid: sessionId,
    mfa: Math.floor(mfaAt.getTime() / 1000),
  });
  return { token, sessionId, authorization: `Bearer ${token}` };
}
