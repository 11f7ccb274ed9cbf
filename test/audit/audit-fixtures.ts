/**
 * Helpers for the audit tests: filling a tenant's chain through the real
 * append path, and editing rows the way an attacker with superuser rights
 * would, with the append-only triggers switched off.
 */
import type { Knex } from 'knex';
import { SYSTEM, type AuditAction } from '../../src/audit/actions';
import { appendAudit, type AuditEvent } from '../../src/audit/append';
import { writeCheckpoint } from '../../src/audit/checkpoints';
import type { AuditSigner } from '../../src/audit/signing-key';
import type { Database } from '../../src/platform/database';
import { createTenant } from '../support/factories';

const ACTIONS: AuditAction[] = ['request.created', 'grant.issued', 'session.opened'];

/** Appends `count` events to `tenant`, one transaction each; returns them. */
export async function appendEvents(db: Database, tenant: string, count: number) {
  const events: AuditEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const event = await db.transaction((trx) =>
      appendAudit(trx, {
        tenant,
        actor: i % 2 === 0 ? SYSTEM : { kind: 'technician', id: `tech-${i % 5}` },
        action: ACTIONS[i % ACTIONS.length]!,
        subject: `subject-${i}`,
        // Values that exercise canonical JSON: nesting, unicode, numbers, escapes.
        data: {
          n: i,
          ratio: i / 7,
          note: `é "quoted" ☃ ${i}`,
          nested: { b: [1, null, true], a: 'x' },
        },
      }),
    );
    events.push(event);
  }
  return events;
}

/** A tenant of its own with `count` events and a checkpoint (event `count + 1`) over them. */
export async function checkpointedChain(db: Database, signer: AuditSigner, count: number) {
  const tenant = await createTenant(db);
  await appendEvents(db, tenant, count);
  await writeCheckpoint(db, signer, tenant);
  return tenant;
}

/**
 * Runs `edit` as a superuser with triggers disabled (session_replication_role
 * = replica), the way someone bypassing the broker would tamper with the log.
 */
export async function tamper(db: Database, edit: (trx: Knex.Transaction) => Promise<unknown>) {
  await db.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await edit(trx);
  });
}
