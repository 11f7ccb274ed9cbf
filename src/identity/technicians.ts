/**
 * Admin actions on technicians: create, list, issue an enrollment token (an
 * MFA reset for an enrolled account), disable. Each change writes its audit
 * event to tenant `msp` in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { appendAudit } from '../audit/append';
import type { Actor } from '../audit/actions';
import type { Database } from '../platform/database';
import { badRequest, conflict, notFound } from '../platform/errors';
import type { IdentityContext } from './identity-context';
import { endAllSessions } from './login-sessions';
import type { Role } from './roles';
import { digestSecret, randomSecret } from './secret-tokens';

/** A technician as the API shows it: never a hash or a secret. */
export interface TechnicianView {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  status: 'pending' | 'active' | 'disabled';
  auditor_tenant: string | null;
  mfa_enrolled: boolean;
  created_at: string;
}

/** A one-time enrollment token, shown to the admin once. */
export interface EnrollmentToken {
  enrollment_token: string;
  expires_at: string;
}

/** What creating a technician needs. */
export interface NewTechnician {
  email: string;
  display_name: string;
  role: Role;
  auditor_tenant?: string | undefined;
}

/** The part of the identity context that admin actions need. */
export type AdminContext = Pick<IdentityContext, 'db' | 'config'>;

const VIEW_COLUMNS = [
  'id',
  'email',
  'display_name',
  'role',
  'status',
  'auditor_tenant',
  'mfa_enrolled_at',
  'created_at',
];

function toView(row: Record<string, unknown>): TechnicianView {
  return {
    id: row.id as string,
    email: row.email as string,
    display_name: row.display_name as string,
    role: row.role as Role,
    status: row.status as TechnicianView['status'],
    auditor_tenant: (row.auditor_tenant as string | null) ?? null,
    mfa_enrolled: row.mfa_enrolled_at != null,
    created_at: new Date(row.created_at as string).toISOString(),
  };
}

/** Creates a pending technician and its first enrollment token. */
export async function createTechnician(
  ctx: AdminContext,
  actor: Actor,
  input: NewTechnician,
): Promise<TechnicianView & EnrollmentToken> {
  const { db } = ctx;
  if (input.auditor_tenant !== undefined && input.role !== 'auditor') {
    throw badRequest('technician.auditor_tenant_needs_auditor', 'Only auditors have a tenant');
  }
  if (input.auditor_tenant !== undefined) {
    const tenant = await db('tenants')
      .where({ slug: input.auditor_tenant, status: 'active' })
      .first('slug');
    if (!tenant) throw badRequest('technician.unknown_tenant', 'No such active tenant');
  }
  const taken = await db('technicians')
    .whereRaw('lower(email) = lower(?)', [input.email])
    .first('id');
  if (taken) throw conflict('technician.email_taken', 'A technician has this email already');

  const id = randomUUID();
  return db.transaction(async (trx) => {
    const [row] = await trx('technicians')
      .insert({
        id,
        email: input.email,
        display_name: input.display_name,
        role: input.role,
        auditor_tenant: input.auditor_tenant ?? null,
        status: 'pending',
      })
      .returning(VIEW_COLUMNS);
    await appendAudit(trx, {
      tenant: 'msp',
      actor,
      action: 'technician.created',
      subject: id,
      data: { email: input.email, role: input.role, auditor_tenant: input.auditor_tenant ?? null },
    });
    const enrollment = await insertEnrollmentToken(trx, ctx, actor, id);
    return { ...toView(row), ...enrollment };
  });
}

/** Every technician, oldest first. */
export async function listTechnicians(db: Database): Promise<TechnicianView[]> {
  const rows = await db('technicians').orderBy('created_at').select(VIEW_COLUMNS);
  return rows.map(toView);
}

/**
 * A new one-time enrollment token; earlier unused ones stop working. For an
 * account that has a password or MFA already this is an MFA reset: password,
 * TOTP secret and recovery codes are cleared and every session ends.
 */
export async function issueEnrollment(
  ctx: AdminContext,
  actor: Actor,
  technicianId: string,
): Promise<EnrollmentToken> {
  const technician = await findTechnician(ctx.db, technicianId);
  if (technician.status === 'disabled') {
    throw conflict('technician.disabled', 'This technician is disabled');
  }

  return ctx.db.transaction(async (trx) => {
    if (technician.password_hash || technician.totp_secret_enc || technician.mfa_enrolled_at) {
      await trx('technicians').where({ id: technicianId }).update({
        status: 'pending',
        password_hash: null,
        totp_secret_enc: null,
        totp_key_id: null,
        totp_last_step: null,
        mfa_enrolled_at: null,
        failed_logins: 0,
        locked_until: null,
      });
      await trx('recovery_codes').where({ technician_id: technicianId }).delete();
      const sessionsEnded = await endAllSessions(trx, technicianId, 'mfa_reset');
      await appendAudit(trx, {
        tenant: 'msp',
        actor,
        action: 'technician.mfa_reset',
        subject: technicianId,
        data: { sessions_ended: sessionsEnded },
      });
    }
    return insertEnrollmentToken(trx, ctx, actor, technicianId);
  });
}

/** Disables a technician: status `disabled`, every login session ended at once. */
export async function disableTechnician(ctx: AdminContext, actor: Actor, technicianId: string) {
  const technician = await findTechnician(ctx.db, technicianId);
  if (technician.status === 'disabled') {
    throw conflict('technician.disabled', 'This technician is disabled already');
  }
  if (actor.kind === 'technician' && actor.id === technicianId) {
    throw conflict('technician.cannot_disable_self', 'Ask another admin to disable you');
  }

  return ctx.db.transaction(async (trx) => {
    const [row] = await trx('technicians')
      .where({ id: technicianId })
      .update({ status: 'disabled', disabled_at: trx.fn.now() })
      .returning(VIEW_COLUMNS);
    await trx('enrollment_tokens')
      .where({ technician_id: technicianId })
      .whereNull('used_at')
      .update({ used_at: trx.fn.now() });
    const sessionsEnded = await endAllSessions(trx, technicianId, 'disabled');
    await appendAudit(trx, {
      tenant: 'msp',
      actor,
      action: 'technician.disabled',
      subject: technicianId,
      data: { sessions_ended: sessionsEnded },
    });
    return toView(row);
  });
}

async function findTechnician(db: Database, technicianId: string) {
  const row = await db('technicians')
    .where({ id: technicianId })
    .first('id', 'status', 'password_hash', 'totp_secret_enc', 'mfa_enrolled_at');
  if (!row) throw notFound('technician.not_found', 'No such technician');
  return row;
}

async function insertEnrollmentToken(
  trx: Knex.Transaction,
  ctx: AdminContext,
  actor: Actor,
  technicianId: string,
): Promise<EnrollmentToken> {
  await trx('enrollment_tokens')
    .where({ technician_id: technicianId })
    .whereNull('used_at')
    .update({ used_at: trx.fn.now() });
  const token = randomSecret();
  const expiresAt = new Date(Date.now() + ctx.config.enrollmentTokenTtl * 1000);
  await trx('enrollment_tokens').insert({
    id: randomUUID(),
    technician_id: technicianId,
    token_hash: digestSecret(token),
    expires_at: expiresAt,
    created_by: actor.kind === 'technician' ? actor.id : null,
  });
  await appendAudit(trx, {
    tenant: 'msp',
    actor,
    action: 'technician.enrollment_issued',
    subject: technicianId,
    data: { expires_at: expiresAt.toISOString() },
  });
  return { enrollment_token: token, expires_at: expiresAt.toISOString() };
}
