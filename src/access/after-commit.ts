/**
 * What happens once a request's transaction has committed: issuing the
 * credential of a new grant, and telling people through the notifier. Neither
 * may undo or fail the committed change, so both swallow and log errors.
 */
import { AppError } from '../platform/errors';
import { logger } from '../platform/logger';
import type { Principal } from '../identity/authenticate';
import type { RequestNotice } from '../notifications/notifier';
import type { AccessDeps } from './access-deps';
import type { OpenedGrant } from './grant-issuance';
import type { GrantSummary, RequestRow } from './request-row';

/**
 * Issues grant `grantId` (described by `opened` when just written) and returns
 * its status as it is afterwards. A Vault refusal or outage (an AppError,
 * recorded on the grant as `failed` by the issuer) reaches the caller as that
 * error, e.g. 503 vault.unavailable: the request stands, but no access was
 * granted.
 */
export async function issueGrant(
  deps: AccessDeps,
  grantId: string,
  opened?: OpenedGrant,
): Promise<GrantSummary> {
  try {
    const status = await deps.issuance.issue(grantId, opened);
    if (status) return { id: grantId, status };
  } catch (error) {
    if (error instanceof AppError) throw error;
    logger.error('grant issuance failed', { grant_id: grantId, error });
  }
  const grant = await deps.db('grants').where({ id: grantId }).first('id', 'status');
  return { id: grantId, status: grant?.status ?? 'issuing' };
}

/**
 * Queues a notice about `request` for the notifier, which delivers it in the
 * background. Only the requester's e-mail is read first; a failure is logged
 * and never fails the committed request.
 */
export async function notifyRequest(
  deps: AccessDeps,
  type: RequestNotice['type'],
  request: RequestRow,
  decidedBy?: Principal,
): Promise<void> {
  try {
    const requester = await deps
      .db('technicians')
      .where({ id: request.technician_id })
      .first('email');
    deps.notifier.notify({
      type,
      request: {
        id: request.id,
        tenant: request.tenant,
        profile: request.profile,
        status: request.status,
        requester: { id: request.technician_id, email: requester?.email ?? '' },
        duration_seconds: request.duration_seconds,
        justification: request.justification,
        ticket: request.ticket,
        approvals_required: request.approvals_required,
        ...(decidedBy
          ? {
              decided_by: { id: decidedBy.technicianId, email: decidedBy.email },
              decision_note: request.decision_note,
            }
          : {}),
      },
    });
  } catch (error) {
    logger.error('notification not queued', { request_id: request.id, error });
  }
}
