/**
 * The single-event append as a database function. It does what the broker
 * used to send as one multi-CTE statement (lock the tenant's head row, take
 * the next seq, hash prev_hash || canonical event with that seq spliced in,
 * move the head, insert the event), but PL/pgSQL keeps its statements' plans
 * for the life of the connection, where the CTE was parsed and planned again
 * on every append: that planning was the largest cost of an append. And the
 * head is locked by the UPDATE that moves it, with no separate row lock.
 *
 * The canonical text still comes from Node as bytes (split around the seq, see
 * src/audit/chain.ts), and Node still recomputes the hash the function returns
 * (src/audit/append.ts), so the chain's definition lives in one place.
 * A tenant without a head row gets one (at seq 0, genesis hash) first; two
 * first appends race safely through ON CONFLICT and the row lock.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // The hash the head held before its last single append: what the function
  // reads back as the new event's prev_hash from the same UPDATE that moves
  // the head, so that one statement both locks the head and advances it.
  await knex.schema.alterTable('audit_heads', (t) => {
    t.text('prev_hash');
  });
  await knex.raw(`
    create function audit_append(
      p_tenant text, p_before bytea, p_after bytea, p_id uuid, p_time text,
      p_actor_kind text, p_actor_id text, p_action text, p_subject text, p_data jsonb,
      out event_seq bigint, out event_prev_hash text, out event_hash text
    ) language plpgsql as $$
    begin
      for attempt in 1..2 loop
        update audit_heads as h
          set prev_hash = h.hash, seq = h.seq + 1,
            hash = encode(sha256(convert_to(h.hash, 'UTF8') || p_before
              || convert_to((h.seq + 1)::text, 'UTF8') || p_after), 'hex')
          where h.tenant = p_tenant
          returning h.seq, h.prev_hash, h.hash into event_seq, event_prev_hash, event_hash;
        exit when found;
        insert into audit_heads (tenant, seq, hash) values (p_tenant, 0, repeat('0', 64))
          on conflict (tenant) do nothing;
      end loop;
      insert into audit_events
        (tenant, seq, id, time, actor_kind, actor_id, action, subject, data, prev_hash, hash)
        values (p_tenant, event_seq, p_id, p_time, p_actor_kind, p_actor_id, p_action,
          p_subject, p_data, event_prev_hash, event_hash);
    end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'drop function audit_append(text, bytea, bytea, uuid, text, text, text, text, text, jsonb)',
  );
  await knex.schema.alterTable('audit_heads', (t) => {
    t.dropColumn('prev_hash');
  });
}
