/**
 * Puts the loaded policy set's hash in the audit log (tenant `msp`) whenever
 * it differs from the last one recorded, so that an auditor can tell which
 * rules were in force when a request was decided (each request row carries
 * the same hash).
 */
import { SYSTEM } from '../audit/actions';
import { appendAudit } from '../audit/append';
import type { Database } from '../platform/database';
import type { PolicySet } from './policy-set';

/** Records `set` in the msp audit chain unless it is already the latest; says which. */
export async function recordPolicySet(
  db: Database,
  set: PolicySet,
): Promise<'recorded' | 'unchanged'> {
  return db.transaction(async (trx) => {
    // Locking the msp head first makes two brokers starting together record once.
    await trx('audit_heads').where({ tenant: 'msp' }).forUpdate().first('seq');
    const last = await trx('audit_events')
      .where({ tenant: 'msp', action: 'policy.loaded' })
      .orderBy('seq', 'desc')
      .first('data');
    if (last?.data?.hash === set.hash) return 'unchanged';
    await appendAudit(trx, {
      tenant: 'msp',
      actor: SYSTEM,
      action: 'policy.loaded',
      subject: set.hash,
      data: { hash: set.hash, profiles: set.profiles('msp').map((p) => p.name) },
    });
    return 'recorded';
  });
}
