/**
 * The email addresses of the requesters a manager's queue shows: the API
 * answers with technician ids, a person deciding needs a name.
 */
import type { Database } from '../platform/database';

/** Email by technician id, for the given ids only. */
export async function emailsOf(db: Database, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const rows = await db('technicians')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'email');
  return Object.fromEntries(rows.map((row) => [row.id as string, row.email as string]));
}
