/**
 * Watching revocations that Vault has not confirmed in time: a warning per
 * grant in the operational log, and numbers for the metrics endpoint. The
 * numbers are read from the database at each scrape, so every broker process
 * reports the same truth whichever of them ran the periodic check.
 */
import type { Database } from '../platform/database';
import { logger } from '../platform/logger';

// LIMITATION: at most MAX_WARNINGS grants are named per check (the oldest);
// the rest appear only in the summary line and the gauge, so that a Vault
// outage during an emergency does not write ten thousand lines a minute.
/** At most this many warnings per check; the count covers the rest. */
const MAX_WARNINGS = 100;

let warningsLogged = 0;

/** Warnings logged by this process since it started (a Prometheus counter). */
export function overdueWarningsLogged(): number {
  return warningsLogged;
}

/**
 * Logs `revocation overdue` (warn) for each grant `revoking` for longer than
 * `thresholdSeconds`; returns how many there are.
 */
export async function warnOverdueRevocations(
  db: Database,
  thresholdSeconds: number,
): Promise<number> {
  const overdue: { id: string; tenant: string; revoke_requested_at: Date }[] = await db('grants')
    .where({ status: 'revoking' })
    .andWhereRaw('revoke_requested_at < now() - make_interval(secs => ?)', [thresholdSeconds])
    .orderBy('revoke_requested_at')
    .limit(MAX_WARNINGS)
    .select('id', 'tenant', 'revoke_requested_at');
  for (const grant of overdue) {
    logger.warn('revocation overdue', {
      grant_id: grant.id,
      tenant: grant.tenant,
      requested_at: grant.revoke_requested_at.toISOString(),
    });
    warningsLogged += 1;
  }
  const { pending, overdue: total } = await revocationCounts(db, thresholdSeconds);
  if (total > overdue.length) logger.warn('revocations overdue', { count: total, pending });
  return total;
}

/** Revocations waiting for Vault, and those among them past the threshold. */
export async function revocationCounts(
  db: Database,
  thresholdSeconds: number,
): Promise<{ pending: number; overdue: number }> {
  const row = await db('grants')
    .where({ status: 'revoking' })
    .first(
      db.raw('count(*)::int as pending'),
      db.raw(
        'count(*) filter (where revoke_requested_at < now() - make_interval(secs => ?))::int as overdue',
        [thresholdSeconds],
      ),
    );
  return { pending: row?.pending ?? 0, overdue: row?.overdue ?? 0 };
}
