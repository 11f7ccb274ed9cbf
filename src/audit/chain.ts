/**
 * The hash chain: what is hashed and how. Kept apart from storage so that the
 * broker's verifier and the standalone offline verifier agree by construction.
 *
 *   hash = SHA-256( prev_hash || canonical_json(event) )   (hex, lowercase)
 *
 * where canonical_json is RFC 8785 (JSON Canonicalization Scheme) over the
 * event's fields below, and the first event of a tenant has prev_hash = 64 zeros.
 */
import { hash } from 'node:crypto';
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
  // One-shot hashing of the joined text: the same bytes as two updates, faster.
  return hash('sha256', prevHash + canonicalEvent(event), 'hex');
}

const text = JSON.stringify;

/**
 * The RFC 8785 form of an event's hashed fields. The top level always has the
 * same nine members, so it is written out in canonical member order (sorted
 * by UTF-16 code units) and only `data`, whose shape varies, goes through the
 * canonicalization package: the same bytes as canonicalizing the whole object
 * (a test holds them equal), at a fraction of the cost per event, which is
 * what verifying millions of events spends its time on. JSON.stringify of a
 * string or a finite number is exactly RFC 8785's serialization of it.
 */
export function canonicalEvent(event: ChainedEvent): string {
  const [before, after] = canonicalAroundSeq(event);
  return `${before}${text(event.seq)}${after}`;
}

/**
 * The canonical form of an event split around its seq: the text before and
 * after the seq's digits. Lets the database fill in the seq, which only it
 * knows once it holds the tenant's head lock, and finish the hash there.
 */
export function canonicalAroundSeq(event: Omit<ChainedEvent, 'seq'>): [string, string] {
  return [
    `{"action":${text(event.action)},"actor_id":${text(event.actor_id)}` +
      `,"actor_kind":${text(event.actor_kind)},"data":${canonicalize(event.data)}` +
      `,"id":${text(event.id)},"seq":`,
    `,"subject":${text(event.subject)},"tenant":${text(event.tenant)},"time":${text(event.time)}}`,
  ];
}
