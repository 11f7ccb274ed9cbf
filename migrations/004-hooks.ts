/**
 * Offboarding hook calls: one row per event id makes every call idempotent,
 * and holds the receipt that callers can fetch until Vault confirms all.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hook_events', (t) => {
    t.uuid('id').primary();
    t.text('event_id').notNullable().unique();
    t.text('kind').notNullable();
    t.text('body_hash').notNullable();
    t.jsonb('receipt').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(
      `kind in ('technician-offboarded', 'tenant-offboarded', 'emergency-revoke-all')`,
      [],
      'hook_events_kind_known',
    );
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('hook_events');
}
