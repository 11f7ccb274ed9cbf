/**
 * Every assignment with the technician's email, for the admin page. The API
 * has no list of assignments across tenants; an admin deciding who may reach
 * which customer needs to see them all at once.
 */
import type { Database } from '../platform/database';

/** One assignment as the admin page shows it. */
export interface AssignmentLine {
  tenant: string;
  technician_id: string;
  email: string;
  relation: 'technician' | 'manager';
}

/** Every assignment, by tenant then email. */
export async function listAssignments(db: Database): Promise<AssignmentLine[]> {
  return db('assignments as a')
    .join('technicians as t', 't.id', 'a.technician_id')
    .orderBy(['a.tenant', 't.email', 'a.relation'])
    .select('a.tenant', 'a.technician_id', 't.email', 'a.relation');
}
