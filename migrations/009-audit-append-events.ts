/**
 * Several events of one tenant's chain in one call: audit_append_events loops
 * over its arrays in order and appends each with audit_append (migration 008),
 * so the events get consecutive seqs in the order given, under the head lock
 * the first of them takes. A request granted at once records three events in
 * its transaction; one round trip instead of three is most of what that
 * transaction spends on the audit log.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function audit_append_events(
      p_tenant text, p_before bytea[], p_after bytea[], p_id uuid[], p_time text[],
      p_actor_kind text[], p_actor_id text[], p_action text[], p_subject text[], p_data jsonb[]
    ) returns table (event_seq bigint, event_prev_hash text, event_hash text)
    language plpgsql as $$
    begin
      for i in 1 .. coalesce(array_length(p_id, 1), 0) loop
        select a.event_seq, a.event_prev_hash, a.event_hash
          into event_seq, event_prev_hash, event_hash
          from audit_append(p_tenant, p_before[i], p_after[i], p_id[i], p_time[i],
            p_actor_kind[i], p_actor_id[i], p_action[i], p_subject[i], p_data[i]) as a;
        return next;
      end loop;
    end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'drop function audit_append_events(text, bytea[], bytea[], uuid[], text[], text[], text[],' +
      ' text[], text[], jsonb[])',
  );
}
