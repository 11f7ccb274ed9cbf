/**
 * Taking the audit head locks of several tenants up front, in one order.
 * appendAudit locks a tenant's head when it first appends to it; a
 * transaction that appends to several tenants in data order could take them
 * as A, C, B while another takes B, C, and the two would deadlock. Locking
 * every head the transaction will need, sorted, before the first append
 * makes the order the same for everyone.
 */
import type { Knex } from 'knex';
import { GENESIS_HASH } from '../audit/chain';

/** Locks the audit heads of `tenants` (sorted, created if missing) until `trx` ends. */
export async function lockAuditHeads(trx: Knex.Transaction, tenants: Iterable<string>) {
  const sorted = [...new Set(tenants)].sort();
  if (sorted.length === 0) return;
  await trx.raw(
    `insert into audit_heads (tenant, seq, hash)
     select t, 0, ? from unnest(?::text[]) as t order by t
     on conflict (tenant) do nothing`,
    [GENESIS_HASH, sorted],
  );
  await trx('audit_heads').whereIn('tenant', sorted).orderBy('tenant').forUpdate().select('tenant');
}
