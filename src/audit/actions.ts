/**
 * Every kind of audit event the broker writes. Adding a feature that changes
 * state means adding its action here first, so the vocabulary stays in one place.
 */
export const AUDIT_ACTIONS = [
  // identity (tenant msp)
  'auth.login_succeeded',
  'auth.login_failed',
  'auth.locked_out',
  'auth.logged_out',
  'auth.step_up',
  'auth.enrolled',
  'auth.enrollment_started',
  'auth.recovery_code_used',
  'technician.created',
  'technician.enrollment_issued',
  'technician.disabled',
  'technician.mfa_reset',
  'technician.offboarded',
  // tenants and policy
  'tenant.created',
  'tenant.offboarded',
  'assignment.added',
  'assignment.removed',
  'policy.loaded',
  // requests
  'request.created',
  'request.approved',
  'request.approval_recorded',
  'request.denied',
  'request.cancelled',
  'request.expired',
  // grants
  'grant.issuing',
  'grant.issued',
  'grant.failed',
  'grant.revoke_requested',
  'grant.revoked',
  'grant.expired',
  // access sessions
  'session.opened',
  'session.heartbeat',
  'session.closed',
  // revocation at scale
  'emergency.revoke_all',
  'audit.checkpoint',
] as const;

/** One of the audit actions above. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who caused an event. */
export type ActorKind = 'technician' | 'system' | 'hook' | 'anonymous';

/** The actor of an audit event. */
export interface Actor {
  kind: ActorKind;
  /** Technician id, hook name or job name; null for anonymous callers. */
  id: string | null;
}

/** The broker itself, for background work such as expiry. */
export const SYSTEM: Actor = { kind: 'system', id: 'broker' };
