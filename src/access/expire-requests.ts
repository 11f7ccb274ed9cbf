/**
 * Expiry of requests nobody decided in time. The job queue calls
 * `expirePendingRequests` periodically; deciding a request past its
 * `expires_at` also expires it on the spot (see decide-request.ts).
 */
import type { Database } from '../platform/database';
import { markExpired } from './decide-request';
import type { RequestRow } from './request-row';

/** Requests expired per transaction, so that one run never holds locks for long. */
const BATCH = 200;

/** Expires every pending request whose `expires_at` is at or before `now`; returns how many. */
export async function expirePendingRequests(db: Database, now: Date = new Date()) {
  let total = 0;
  for (;;) {
    const expired = await db.transaction(async (trx) => {
      // SKIP LOCKED: a request being decided right now is left to its decider,
      // who will see it past its time and expire it there.
      const rows = (await trx('access_requests')
        .where('status', 'pending')
        .andWhere('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .select('*')) as RequestRow[];
      for (const row of rows) await markExpired(trx, row);
      return rows.length;
    });
    total += expired;
    if (expired < BATCH) return total;
  }
}
