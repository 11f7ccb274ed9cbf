/**
 * The caller's open access sessions, for the "my access" page: the API has no
 * list of sessions (a client keeps the id checkout gave it), but a browser
 * that closed its tab must still find the session to end it.
 */
import type { Principal } from '../identity/authenticate';
import type { Database } from '../platform/database';

/** An open access session as the page shows it. */
export interface OpenSession {
  id: string;
  grant_id: string;
  tenant: string;
  profile: string;
  opened_at: Date;
}

/** The caller's own open sessions, newest first. */
export async function listOpenSessions(db: Database, principal: Principal): Promise<OpenSession[]> {
  return db('access_sessions as s')
    .join('grants as g', 'g.id', 's.grant_id')
    .where('s.technician_id', principal.technicianId)
    .whereNull('s.closed_at')
    .orderBy('s.opened_at', 'desc')
    .limit(50)
    .select('s.id', 's.grant_id', 's.tenant', 'g.profile', 's.opened_at');
}
