/**
 * The hash chain: what is hashed and how. Kept apart from storage so that the
 * broker's verifier and the standalone offline verifier agree by construction.
 *
 *   hash = SHA-256( prev_hash || canonical_json(event) )   (hex, lowercase)
 *
 * where canonical_json is RFC 8785 (JSON Canonicalization Scheme) over the
 * event's fields below, and the first event of a tenant has prev_hash = 64 zeros.
 */
import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';

/** prev_hash of the first event in every tenant's chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event that the hash covers (everything but the hashes). */
export interface ChainedEvent {
  tenant: string;
  seq: number;
  id: string;
  time: string;
  actor_kind: string;
  actor_id: string | null;
  action: string;
  subject: string | null;
  data: unknown;
}

/** The hash of `event` linked to `prevHash`. */
export function chainHash(prevHash: string, event: ChainedEvent): string {
  const body = canonicalize({
    tenant: event.tenant,
    seq: event.seq,
    id: event.id,
    time: event.time,
    actor_kind: event.actor_kind,
    actor_id: event.actor_id,
    action: event.action,
    subject: event.subject,
    data: event.data,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}
