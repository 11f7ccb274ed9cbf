/**
 * The single-event append as a database function. It does what the broker
 * used to send as one multi-CTE statement (lock the tenant's head row, take
 * the next seq, hash prev_hash || canonical event with that seq spliced in,
 * insert the event, move the head), but PL/pgSQL keeps its statements' plans
 * for the life of the connection, where the CTE was parsed and planned again
 * on every append: that planning was the largest cost of an append.
 *
 * The canonical text still comes from Node as bytes (split around the seq, see
 * src/audit/chain.ts), and Node still recomputes the hash the function returns
 * (src/audit/append.ts), so the chain's definition lives in one place.
 * A tenant without a head row gets one (at seq 0, genesis hash) first; two
 * first appends race safely through ON CONFLICT and the row lock.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function audit_append(
      p_tenant text, p_before bytea, p_after bytea, p_id uuid, p_time text,
      p_actor_kind text, p_actor_id text, p_action text, p_subject text, p_data jsonb
    ) returns table (event_seq bigint, event_prev_hash text, event_hash text)
    language plpgsql as $$
    declare
      head_seq bigint;
      head_hash text;
    begin
      select h.seq, h.hash into head_seq, head_hash
        from audit_heads h where h.tenant = p_tenant for update;
      if not found then
        insert into audit_heads (tenant, seq, hash) values (p_tenant, 0, repeat('0', 64))
          on conflict (tenant) do nothing;
        select h.seq, h.hash into head_seq, head_hash
          from audit_heads h where h.tenant = p_tenant for update;
      end if;
      event_seq := head_seq + 1;
      event_prev_hash := head_hash;
      event_hash := encode(sha256(convert_to(head_hash, 'UTF8') || p_before
        || convert_to(event_seq::text, 'UTF8') || p_after), 'hex');
      insert into audit_events
        (tenant, seq, id, time, actor_kind, actor_id, action, subject, data, prev_hash, hash)
        values (p_tenant, event_seq, p_id, p_time, p_actor_kind, p_actor_id, p_action,
          p_subject, p_data, event_prev_hash, event_hash);
      update audit_heads set seq = event_seq, hash = event_hash where tenant = p_tenant;
      return next;
    end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'drop function audit_append(text, bytea, bytea, uuid, text, text, text, text, text, jsonb)',
  );
}
