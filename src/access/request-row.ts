/**
 * The access_requests row and how the API shows it. A request answers with
 * its `id` and `status`, and `grant_id`/`grant_status` once it became a grant.
 */
import { formatDuration } from '../policies/duration';

/** One access_requests row. */
export interface RequestRow {
  id: string;
  tenant: string;
  technician_id: string;
  profile: string;
  duration_seconds: number;
  justification: string;
  ticket: string | null;
  status: 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';
  approvals_required: number;
  idempotency_key: string | null;
  policy_hash: string;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  decision_note: string | null;
}

/** The grant of an approved request, as far as a request answer shows it. */
export interface GrantSummary {
  id: string;
  status: string;
}

/** The API view of a request. */
export function requestView(row: RequestRow, grant?: GrantSummary | null, approvals?: number) {
  return {
    id: row.id,
    status: row.status,
    tenant: row.tenant,
    profile: row.profile,
    technician_id: row.technician_id,
    duration: formatDuration(row.duration_seconds),
    duration_seconds: row.duration_seconds,
    justification: row.justification,
    ticket: row.ticket,
    approvals_required: row.approvals_required,
    ...(approvals === undefined ? {} : { approvals }),
    created_at: new Date(row.created_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    decided_at: row.decided_at ? new Date(row.decided_at).toISOString() : null,
    decision_note: row.decision_note,
    grant_id: grant?.id ?? null,
    grant_status: grant?.status ?? null,
  };
}

/** A request as the API shows it. */
export type RequestView = ReturnType<typeof requestView>;
