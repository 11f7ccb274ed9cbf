/**
 * What the web form says for each error code the broker can answer with.
 * The API's own messages are written for client developers; these are for a
 * technician in front of a form, and say what to do next. A code missing here
 * falls back to the API message, which is safe to show by contract (errors.ts).
 */

const MESSAGES: Record<string, string> = {
  // Sign-in, enrollment, step-up
  'auth.invalid_credentials': 'Invalid credentials. Check your email, password and code.',
  'auth.unauthenticated': 'Please sign in.',
  'auth.invalid_enrollment_token':
    'This enrollment link is invalid or has expired. Ask an admin for a new one.',
  'auth.enrollment_not_started': 'Set your password first, then confirm a code.',
  'auth.password_too_short': 'That password is too short.',
  'auth.password_too_long': 'That password is too long.',
  'auth.password_too_common': 'That password is too common or too easy to guess. Pick another.',
  'auth.invalid_input': 'Some fields are missing or malformed.',
  'auth.rate_limited': 'Too many attempts from here. Wait a minute and try again.',
  'auth.locked_out': 'This account is locked for a while after failed attempts.',
  'auth.forbidden_role': 'Your role does not allow this.',
  'auth.step_up_required':
    'This action needs a fresh authenticator code: enter one with the action.',
  // Tenants and assignments
  'tenant.exists': 'A tenant with this slug already exists.',
  'tenant.not_found': 'No such tenant.',
  'tenant.not_active': 'This tenant is no longer active: no new requests.',
  'tenant.not_assigned': 'You are not assigned to this tenant.',
  'tenant.invalid': 'Check the tenant fields.',
  'assignment.not_found': 'No such assignment.',
  'assignment.role_mismatch': 'That relation does not fit this person’s role.',
  // Technicians
  'technician.email_taken': 'Someone already has this email address.',
  'technician.not_found': 'No such technician.',
  'technician.disabled': 'This technician is disabled.',
  'technician.cannot_disable_self': 'You cannot disable your own account.',
  'technician.auditor_tenant_needs_auditor': 'Only an auditor can be tied to one tenant.',
  'technician.unknown_tenant': 'The auditor’s tenant does not exist.',
  'technician.invalid': 'Check the technician fields.',
  // Requests
  'request.invalid': 'Some fields are missing or malformed.',
  'request.duration_invalid': 'Give the duration like 90m or 2h.',
  'request.duration_exceeds_profile': 'That is longer than this profile allows.',
  'request.justification_too_short': 'Say why you need access, in a sentence.',
  'request.ticket_required': 'This profile needs a ticket reference.',
  'request.duplicate_live':
    'You already have a pending request or a live grant for this tenant and profile.',
  'request.idempotency_key_reused': 'This form was already sent with other values.',
  'request.idempotency_key_invalid': 'This form was already sent with other values.',
  'request.not_found': 'No such request.',
  'request.not_pending': 'This request has already been decided.',
  'request.expired': 'This request expired before anyone decided it.',
  'request.not_requester': 'Only the requester can cancel a request.',
  'request.self_approval': 'You cannot decide your own request.',
  'request.not_approver': 'Only a manager of this tenant can decide this request.',
  'request.already_approved': 'You have already approved this request.',
  'request.requester_not_assigned': 'The requester is no longer assigned to this tenant.',
  'profile.unknown': 'No such access profile for this tenant.',
  'policy.unknown_profile': 'No such access profile for this tenant.',
  // Grants and sessions
  'grant.not_found': 'No such grant.',
  'grant.not_holder': 'Only the holder of a grant can check it out.',
  'grant.forbidden': 'You may not act on this grant.',
  'grant.revoked': 'This grant has been revoked.',
  'grant.expired': 'This grant has ended.',
  'grant.not_active': 'This grant is not active yet. Try again in a moment.',
  'grant.not_live': 'This grant has already ended.',
  'grant.invalid': 'Check the grant fields.',
  'checkout.invalid': 'Check the checkout fields.',
  'checkout.public_key_required': 'This profile signs your SSH public key: paste it.',
  'checkout.public_key_invalid': 'That does not look like an SSH public key.',
  'credential.public_key_invalid': 'That does not look like an SSH public key.',
  'credential.wrong_kind': 'This grant does not issue that kind of credential.',
  'credential.already_unwrapped':
    'This credential has already been shown once (or its wrapping expired). ' +
    'If that was not you, revoke the grant and tell your manager.',
  'session.not_found': 'No such access session.',
  'session.not_holder': 'Only the holder can end this session.',
  'session.closed': 'This session has already ended.',
  'session.grant_ended': 'The grant of this session has ended.',
  'grant.invalid_query': 'Check the grant filters.',
  'emergency.invalid': 'Give a reason for the emergency revocation.',
  // Offboarding hooks (machine callers; listed so that no code goes unexplained)
  'hook.bad_signature': 'The hook call is not signed with the shared secret.',
  'hook.stale': 'The hook call is too old or replayed.',
  'hook.invalid': 'The hook call is malformed.',
  'hook.event_conflict': 'This hook event id was used for a different body.',
  'hook.receipt_not_found': 'No such offboarding receipt.',
  'hook.unknown_technician': 'The hook names no known technician.',
  'hook.unknown_tenant': 'The hook names no known tenant.',
  'technician.admin_exists': 'An admin exists already.',
  'request.malformed_json': 'The request body is not valid JSON.',
  // Audit
  'audit.forbidden': 'You may not read this tenant’s audit log.',
  'audit.invalid_query': 'Check the audit filters.',
  // Vault and the platform
  'vault.unavailable': 'Vault is unreachable right now. Try again in a moment.',
  'vault.denied': 'Vault refused the operation. Tell an admin.',
  'vault.error': 'Vault answered with an error. Tell an admin.',
  'vault.bad_tenant': 'This tenant is not set up in Vault. Tell an admin.',
  'service.not_ready': 'The broker is not ready. Try again in a moment.',
  'route.not_found': 'There is no such page.',
  'request.too_large': 'The form is too large.',
  'request.aborted': 'The form was not sent completely. Try again.',
  'request.unsupported_encoding': 'The form was sent in an unsupported encoding.',
  'request.unsupported_media_type': 'The form was sent in an unsupported format.',
  // The web form itself
  'web.csrf_invalid':
    'This form has expired or did not come from this site. Reload the page and try again.',
  'web.invalid_form': 'Some fields are missing or malformed.',
  internal: 'Something went wrong on our side. The request id helps us find out what.',
};

// Input checks whose API message names the field at fault ("note: must give
// a reason"): the form shows that detail after its own sentence.
const NAMES_THE_FIELD = new Set([
  'request.invalid',
  'auth.invalid_input',
  'technician.invalid',
  'tenant.invalid',
  'grant.invalid',
  'grant.invalid_query',
  'checkout.invalid',
  'emergency.invalid',
  'audit.invalid_query',
  'web.invalid_form',
]);

/** The text the web form shows for `code`, else `fallback` (the API message). */
export function messageFor(code: string, fallback: string): string {
  const own = MESSAGES[code];
  if (!own) return fallback;
  return NAMES_THE_FIELD.has(code) && fallback ? `${own} ${fallback}` : own;
}

/** Every code with its own message (for the test that keeps this list complete). */
export function knownCodes(): string[] {
  return Object.keys(MESSAGES);
}
