/**
 * Manual revocation: the holder of a grant, a manager of its tenant, or an
 * admin ends it before its time, with a reason. The answer comes as soon as
 * the grant is marked: from then on it cannot be checked out, while Vault's
 * confirmation follows from the revoke job.
 */
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';
import { conflict, forbidden, notFound } from '../platform/errors';
import { relationsOn } from '../tenants/tenant-access';
import { requestRevocation } from './request-revocation';

/** The answer to a revoke: the grant and its status. */
export interface RevokeResult {
  id: string;
  status: 'revoking';
}

/** Whether `principal` may revoke a grant of `holderId` on `tenant`. */
async function mayRevoke(db: Database, principal: Principal, tenant: string, holderId: string) {
  if (principal.role === 'admin') return true;
  if (principal.technicianId === holderId) return true;
  if (principal.role !== 'manager') return false;
  return (await relationsOn(db, tenant, principal.technicianId)).includes('manager');
}

/**
 * Marks grant `grantId` for revocation on behalf of `principal`. Asking again
 * while it is `revoking` answers the same; an ended grant is a 409.
 */
export async function revokeGrant(
  db: Database,
  principal: Principal,
  grantId: string,
  reason: string,
): Promise<RevokeResult> {
  const grant = await db('grants').where({ id: grantId }).first('id', 'tenant', 'technician_id');
  if (!grant) throw notFound('grant.not_found', 'No such grant');
  if (!(await mayRevoke(db, principal, grant.tenant, grant.technician_id))) {
    throw forbidden('grant.forbidden', 'You may not revoke this grant');
  }

  return db.transaction(async (trx) => {
    const current = await trx('grants').where({ id: grantId }).forUpdate().first('status');
    if (current.status === 'revoking') return { id: grantId, status: 'revoking' as const };
    const actor = { kind: 'technician' as const, id: principal.technicianId };
    if (!(await requestRevocation(trx, { id: grantId }, actor, reason))) {
      throw conflict('grant.not_live', `This grant is ${current.status as string}`);
    }
    return { id: grantId, status: 'revoking' as const };
  });
}
