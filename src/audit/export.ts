/**
 * The offline export of a tenant's log as JSON Lines (DESIGN.md section 7):
 *
 *   {"type":"header","format":"jit-audit-export/1","tenant":...,"public_key":{...}}
 *   {"type":"checkpoint","tenant":...,"seq":...,"hash":...,"time":...,"key_id":...,"signature":...}
 *   {"type":"event","tenant":...,"seq":...,...,"prev_hash":...,"hash":...}
 *
 * Checkpoints come before events so that a verifier can check them while it
 * streams. The export is bounded by the head seq read at the start, so events
 * appended meanwhile do not appear half-way. Nothing in the file is unchecked: every line is covered by a hash,
 * a signature, or the key id, so changing any byte makes verification fail.
 */
import type { Database } from '../platform/database';
import { listCheckpoints } from './checkpoints';
import { eventBatches } from './event-batches';
import type { AuditSigner } from './signing-key';

/** Format tag of the first line; bumped if the layout ever changes. */
export const EXPORT_FORMAT = 'jit-audit-export/1';

/** Yields the export of `tenant` line by line (each ending in "\n"), batch by batch. */
export async function* exportAuditLog(
  db: Database,
  signer: AuditSigner,
  tenant: string,
): AsyncGenerator<string> {
  // Head first, then checkpoints: a checkpoint written in between was committed
  // with its events, so bounding by the later of the two still reaches it. All
  // checkpoints go out, so a rewound head row cannot hide one from the customer.
  const head: { seq: number } | undefined = await db('audit_heads').where({ tenant }).first('seq');
  const checkpoints = await listCheckpoints(db, tenant);
  const lastCheckpoint = checkpoints[checkpoints.length - 1]?.seq ?? 0;
  const upToSeq = head ? Math.max(head.seq, lastCheckpoint) : Number.MAX_SAFE_INTEGER;

  const { key_id, pem } = signer.published();
  yield line({ type: 'header', format: EXPORT_FORMAT, tenant, public_key: { key_id, pem } });
  for (const checkpoint of checkpoints) yield line({ type: 'checkpoint', ...checkpoint });
  for await (const batch of eventBatches(db, tenant, { upToSeq })) {
    yield batch.map((event) => line({ type: 'event', ...event })).join('');
  }
}

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
