/**
 * Delivery of a grant's credential. At issue the broker parks the credential
 * in a Vault response-wrapping token whose TTL ends with the grant; only that
 * token, sealed (AES-256-GCM), is kept here: never the credential itself.
 * Checkout opens it, re-wraps the credential for the technician with a short
 * TTL, and parks it again for the grant's next access session.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('grants', (t) => {
    t.text('parked_wrap_sealed');
    t.text('parked_key_id');
    t.text('ssh_serial');
    t.timestamp('first_checkout_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('grants', (t) => {
    t.dropColumn('parked_wrap_sealed');
    t.dropColumn('parked_key_id');
    t.dropColumn('ssh_serial');
    t.dropColumn('first_checkout_at');
  });
}
