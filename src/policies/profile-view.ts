/** How an access profile is shown to the people who may request it. */
import type { AccessProfile } from './access-profile';
import { formatDuration } from './duration';

/** The limits of a profile, without its Vault details. */
export function profileView(profile: AccessProfile) {
  return {
    name: profile.name,
    description: profile.description,
    credential: profile.credential,
    max_duration: formatDuration(profile.maxDurationSeconds),
    max_duration_seconds: profile.maxDurationSeconds,
    approvals_required: profile.approvalsRequired,
    step_up: profile.stepUp,
    ticket_required: profile.ticketRequired,
    single_session: profile.singleSession,
  };
}
