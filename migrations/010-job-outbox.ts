/**
 * An outbox for jobs due later (a grant's expiry at its end). Queueing a job
 * through graphile-worker's `add_job` sends a NOTIFY, and PostgreSQL commits
 * every transaction that notified one at a time, holding a database-wide lock
 * through its WAL flush: on the grant flow's hot path that made activations
 * queue behind each other. A job due later needs no wake-up, so the statement
 * that activates a grant writes its expiry job here instead, in the same
 * statement and so with the same fate, and a relay (src/jobs/job-outbox.ts)
 * moves the rows into the queue in batches, one NOTIFY per batch. The insert is
 * a function so that it can sit among the calls of such a statement.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table job_outbox (
      id bigint generated always as identity primary key,
      task text not null,
      payload json not null,
      run_at timestamptz,
      job_key text,
      max_attempts smallint not null
    );
    create function job_outbox_add(
      p_task text, p_payload json, p_run_at timestamptz, p_job_key text, p_max_attempts smallint
    ) returns bigint
    language plpgsql as $$
    declare
      v_id bigint;
    begin
      insert into job_outbox (task, payload, run_at, job_key, max_attempts)
        values (p_task, p_payload, p_run_at, p_job_key, p_max_attempts)
        returning id into v_id;
      return v_id;
    end $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function job_outbox_add(text, json, timestamptz, text, smallint)');
  await knex.schema.dropTable('job_outbox');
}
