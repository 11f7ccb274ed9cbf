/**
 * The audit log: one hash chain per tenant. The heads table serialises appends
 * per tenant (its row is locked), and checkpoints hold signed chain heads.
 * Triggers refuse UPDATE, DELETE and TRUNCATE on events and checkpoints, so
 * even a bug in the broker cannot rewrite history.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_heads', (t) => {
    t.text('tenant').primary().references('tenants.slug');
    t.bigInteger('seq').notNullable().defaultTo(0);
    t.text('hash').notNullable();
  });

  await knex.schema.createTable('audit_events', (t) => {
    t.text('tenant').notNullable().references('tenants.slug');
    t.bigInteger('seq').notNullable();
    t.uuid('id').notNullable().unique();
    t.text('time').notNullable();
    t.text('actor_kind').notNullable();
    t.text('actor_id');
    t.text('action').notNullable();
    t.text('subject');
    t.jsonb('data').notNullable();
    t.text('prev_hash').notNullable();
    t.text('hash').notNullable();
    t.primary(['tenant', 'seq']);
    t.check('seq > 0', [], 'audit_events_seq_positive');
  });

  await knex.schema.createTable('audit_checkpoints', (t) => {
    t.text('tenant').notNullable().references('tenants.slug');
    t.bigInteger('seq').notNullable();
    t.text('hash').notNullable();
    t.text('time').notNullable();
    t.text('key_id').notNullable();
    t.text('signature').notNullable();
    t.primary(['tenant', 'seq']);
  });

  await knex.raw(`
    create function audit_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'the audit log is append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
    end $$;
  `);
  for (const table of ['audit_events', 'audit_checkpoints']) {
    await knex.raw(`
      create trigger ${table}_append_only before update or delete on ${table}
        for each row execute function audit_refuse_change();
      create trigger ${table}_no_truncate before truncate on ${table}
        for each statement execute function audit_refuse_change();
    `);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_checkpoints');
  await knex.schema.dropTable('audit_events');
  await knex.schema.dropTable('audit_heads');
  await knex.raw('drop function audit_refuse_change()');
}
