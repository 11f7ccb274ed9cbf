/**
 * Access requests, their approvals, the grants they become, and the access
 * sessions in which a grant is used. No credential value has a column here:
 * Vault holds those, the broker keeps only accessors and lease ids.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_requests', (t) => {
    t.uuid('id').primary();
    t.text('tenant').notNullable().references('tenants.slug');
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.text('profile').notNullable();
    t.integer('duration_seconds').notNullable();
    t.text('justification').notNullable();
    t.text('ticket');
    t.text('status').notNullable();
    t.integer('approvals_required').notNullable().defaultTo(0);
    t.text('idempotency_key');
    t.text('policy_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('decided_at', { useTz: true });
    t.text('decision_note');
    t.unique(['technician_id', 'idempotency_key']);
    t.index(['tenant', 'status']);
    t.check('duration_seconds > 0', [], 'access_requests_duration_positive');
    t.check(
      `status in ('pending', 'approved', 'denied', 'cancelled', 'expired')`,
      [],
      'access_requests_status_known',
    );
  });

  await knex.schema.createTable('approvals', (t) => {
    t.uuid('id').primary();
    t.uuid('request_id').notNullable().references('access_requests.id');
    t.uuid('approver_id').notNullable().references('technicians.id');
    t.text('decision').notNullable();
    t.text('note');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['request_id', 'approver_id']);
    t.check(`decision in ('approve', 'deny')`, [], 'approvals_decision_known');
  });

  await knex.schema.createTable('grants', (t) => {
    t.uuid('id').primary();
    t.uuid('request_id').notNullable().unique().references('access_requests.id');
    t.text('tenant').notNullable().references('tenants.slug');
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.text('profile').notNullable();
    t.text('credential_kind').notNullable();
    t.text('status').notNullable();
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    // Identifiers Vault gives for revocation; neither is a credential.
    t.text('vault_accessor');
    t.text('vault_lease_id');
    t.text('failure_reason');
    t.text('revoke_reason');
    t.timestamp('revoke_requested_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant', 'status']);
    t.index(['technician_id', 'status']);
    t.check(
      `status in ('issuing', 'active', 'expired', 'failed', 'revoking', 'revoked')`,
      [],
      'grants_status_known',
    );
    t.check(
      `credential_kind in ('vault-token', 'database', 'ssh')`,
      [],
      'grants_credential_kind_known',
    );
  });

  await knex.schema.createTable('access_sessions', (t) => {
    t.uuid('id').primary();
    t.uuid('grant_id').notNullable().references('grants.id');
    t.text('tenant').notNullable().references('tenants.slug');
    t.uuid('technician_id').notNullable().references('technicians.id');
    t.timestamp('opened_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_heartbeat_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    t.text('close_reason');
    t.text('client_ip');
    t.text('user_agent');
    t.index(['grant_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['access_sessions', 'grants', 'approvals', 'access_requests']) {
    await knex.schema.dropTable(table);
  }
}
