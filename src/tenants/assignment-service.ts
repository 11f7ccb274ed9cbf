/**
 * Assignments: which technicians may request access to a tenant, and which
 * managers decide on those requests. Only admins change them.
 */
import type { Actor } from '../audit/actions';
import { appendAudit } from '../audit/append';
import type { Database } from '../platform/database';
import { badRequest, conflict, notFound } from '../platform/errors';
import type { Relation } from './tenant-access';

/** An assignment as the API shows it. */
export interface AssignmentView {
  tenant: string;
  technician_id: string;
  relation: Relation;
}

/**
 * Assigns a technician to a tenant. Idempotent: assigning again changes
 * nothing and says `created: false`. Managers must hold the manager or admin
 * role; auditors are never assigned (they read one tenant by their role).
 */
export async function assignTechnician(
  db: Database,
  actor: Actor,
  input: AssignmentView,
): Promise<{ assignment: AssignmentView; created: boolean }> {
  return db.transaction(async (trx) => {
    const tenant = await trx('tenants').where({ slug: input.tenant }).first('status');
    if (!tenant) throw notFound('tenant.not_found', 'No such tenant');
    if (tenant.status !== 'active') throw conflict('tenant.not_active', 'The tenant has churned');
    const person = await trx('technicians').where({ id: input.technician_id }).first('role');
    if (!person) throw notFound('technician.not_found', 'No such technician');
    if (person.role === 'auditor') {
      throw badRequest('assignment.role_mismatch', 'Auditors are not assigned to tenants');
    }
    if (input.relation === 'manager' && !['manager', 'admin'].includes(person.role)) {
      throw badRequest('assignment.role_mismatch', 'Only managers and admins can be managers');
    }

    const inserted = await trx('assignments')
      .insert(input)
      .onConflict(['tenant', 'technician_id', 'relation'])
      .ignore()
      .returning('tenant');
    if (inserted.length === 0) return { assignment: input, created: false };
    await appendAudit(trx, {
      tenant: input.tenant,
      actor,
      action: 'assignment.added',
      subject: input.technician_id,
      data: { relation: input.relation },
    });
    return { assignment: input, created: true };
  });
}

/**
 * Removes a technician's relation to a tenant (every relation when none is
 * named). Their live grants stay: revoking them is offboarding's job; their
 * pending requests can no longer be approved (see decide-request.ts).
 */
export async function unassignTechnician(
  db: Database,
  actor: Actor,
  input: { tenant: string; technician_id: string; relation?: Relation },
) {
  await db.transaction(async (trx) => {
    const match = { tenant: input.tenant, technician_id: input.technician_id };
    const query = trx('assignments').where(match);
    if (input.relation) query.andWhere('relation', input.relation);
    const removed = await query.delete().returning('relation');
    if (removed.length === 0) throw notFound('assignment.not_found', 'No such assignment');
    for (const { relation } of removed) {
      await appendAudit(trx, {
        tenant: input.tenant,
        actor,
        action: 'assignment.removed',
        subject: input.technician_id,
        data: { relation },
      });
    }
  });
}
