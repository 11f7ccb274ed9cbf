/**
 * Tenants (the MSP's customers, and `msp` itself), technicians with their
 * credentials and MFA state, enrollment tokens, recovery codes, sign-in
 * challenges, login sessions, and the assignments that say who may act where.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.text('slug').primary();
    t.text('name').notNullable();
    t.text('status').notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('churned_at', { useTz: true });
    t.check(`slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'`, [], 'tenants_slug_format');
    t.check(`status in ('active', 'churned')`, [], 'tenants_status_known');
  });
  // The MSP's own tenant holds MSP-level audit events (sign-in, configuration).
  await knex('tenants').insert({ slug: 'msp', name: 'The MSP itself' });

  await knex.schema.createTable('technicians', (t) => {
    t.uuid('id').primary();
    t.text('email').notNullable();
    t.text('display_name').notNullable();
    t.text('role').notNullable();
    // A customer's own auditor is bound to that customer's tenant.
    t.text('auditor_tenant').references('tenants.slug');
    t.text('status').notNullable().defaultTo('pending');
    t.text('password_hash');
    t.text('totp_secret_enc');
    t.text('totp_key_id');
    t.timestamp('mfa_enrolled_at', { useTz: true });
    // The last accepted TOTP time step: a code is accepted at most once.
    t.bigInteger('totp_last_step');
    t.integer('failed_logins').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('disabled_at', { useTz: true });
    t.check(`role in ('technician', 'manager', 'admin', 'auditor')`, [], 'technicians_role_known');
    t.check(`status in ('pending', 'active', 'disabled')`, [], 'technicians_status_known');
    t.check(`auditor_tenant is null or role = 'auditor'`, [], 'technicians_auditor_tenant');
  });
  await knex.raw('create unique index technicians_email_unique on technicians (lower(email))');

  await knex.schema.createTable('enrollment_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.uuid('created_by').references('technicians.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('recovery_codes', (t) => {
    t.uuid('id').primary();
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.text('code_hash').notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['technician_id']);
  });

  await knex.schema.createTable('login_challenges', (t) => {
    t.uuid('id').primary();
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.text('challenge_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.text('client_ip');
  });

  await knex.schema.createTable('login_sessions', (t) => {
    t.uuid('id').primary();
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('mfa_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
    t.text('end_reason');
    t.text('client_ip');
    t.text('user_agent');
    t.index(['technician_id']);
  });

  await knex.schema.createTable('assignments', (t) => {
    t.text('tenant').notNullable().references('tenants.slug');
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.text('relation').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant', 'technician_id', 'relation']);
    t.check(`relation in ('technician', 'manager')`, [], 'assignments_relation_known');
    t.index(['technician_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'assignments',
    'login_sessions',
    'login_challenges',
    'recovery_codes',
    'enrollment_tokens',
    'technicians',
    'tenants',
  ]) {
    await knex.schema.dropTable(table);
  }
}
