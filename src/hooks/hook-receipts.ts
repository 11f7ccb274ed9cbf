/**
 * Receipts of offboarding: what was disabled, cancelled and revoked, per
 * tenant. The stored part is written once with the work; the revocation
 * counts are read live, so the receipt shows `pending` until Vault has
 * confirmed every revocation and `complete` after.
 */
import type { Database } from '../platform/database';
import { notFound } from '../platform/errors';
import type { HookEventRow, HookKind } from './hook-events';

/** What one tenant saw of an offboarding. */
export interface TenantEffects {
  requests_cancelled: number;
  /** Ids of the grants marked for revocation. */
  grants: string[];
}

/** The stored part of a receipt. */
export interface StoredReceipt {
  event_id: string;
  kind: HookKind;
  reason: string;
  technician?: { id: string; email: string; disabled: true; login_sessions_ended: number };
  tenant?: { slug: string; churned: true; checkpoint_seq?: number };
  tenants: Record<string, TenantEffects>;
}

/** Per-tenant counts in a receipt as shown. */
export interface TenantCounts {
  requests_cancelled: number;
  grants_revoking: number;
  grants_revoked: number;
}

/** A receipt as answered to callers. */
export interface ReceiptView {
  id: string;
  event_id: string;
  kind: HookKind;
  received_at: string;
  status: 'pending' | 'complete';
  reason: string;
  technician?: StoredReceipt['technician'];
  tenant?: StoredReceipt['tenant'];
  tenants: Record<string, TenantCounts>;
  grants: { total: number; revoked: number; pending: number };
}

const DONE = ['revoked', 'expired'];

/** The receipt of hook event row `row`, with live revocation counts. */
export async function receiptView(db: Database, row: HookEventRow): Promise<ReceiptView> {
  const stored = row.receipt as unknown as StoredReceipt;
  const ids = Object.values(stored.tenants).flatMap((tenant) => tenant.grants);
  const done = new Set<string>(
    ids.length === 0
      ? []
      : await db('grants').whereIn('id', ids).whereIn('status', DONE).pluck('id'),
  );

  const tenants: Record<string, TenantCounts> = {};
  for (const [slug, effects] of Object.entries(stored.tenants)) {
    const revoked = effects.grants.filter((id) => done.has(id)).length;
    tenants[slug] = {
      requests_cancelled: effects.requests_cancelled,
      grants_revoking: effects.grants.length - revoked,
      grants_revoked: revoked,
    };
  }
  return {
    id: row.id,
    event_id: row.event_id,
    kind: row.kind,
    received_at: row.received_at.toISOString(),
    status: done.size === ids.length ? 'complete' : 'pending',
    reason: stored.reason,
    ...(stored.technician ? { technician: stored.technician } : {}),
    ...(stored.tenant ? { tenant: stored.tenant } : {}),
    tenants,
    grants: { total: ids.length, revoked: done.size, pending: ids.length - done.size },
  };
}

/** The receipt with id `id`; 404 `hook.receipt_not_found` when there is none. */
export async function findReceipt(db: Database, id: string): Promise<ReceiptView> {
  const row: HookEventRow | undefined = await db('hook_events').where({ id }).first();
  if (!row) throw notFound('hook.receipt_not_found', 'No such receipt');
  return receiptView(db, row);
}
