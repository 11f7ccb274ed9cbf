/**
 * At most one pending request per technician, tenant and profile, held by the
 * database as well as by the request service: a second pending row cannot
 * exist even if two broker processes race. (Live grants are checked by the
 * service under a per-technician lock; see src/access/request-access.ts.)
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create unique index access_requests_one_pending
      on access_requests (technician_id, tenant, profile)
      where status = 'pending'
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index access_requests_one_pending');
}
