/**
 * Outgoing notices about requests, so that a team can wire chat or e-mail to
 * "a request waits for your approval" and "your request was decided".
 * Sending is fire-and-forget: it never blocks or fails the request.
 */

/** What a notice says. Never a secret: it leaves the broker. */
export interface RequestNotice {
  type: 'request.pending' | 'request.decided';
  request: {
    id: string;
    tenant: string;
    profile: string;
    status: string;
    requester: { id: string; email: string };
    duration_seconds: number;
    justification: string;
    ticket: string | null;
    approvals_required: number;
    decided_by?: { id: string; email: string };
    decision_note?: string | null;
  };
}

/** Sends notices in the background. */
export interface Notifier {
  /** Queues a notice; returns at once and never throws. */
  notify(notice: RequestNotice): void;
}

/** A notifier for when no webhook is configured. */
export const silentNotifier: Notifier = { notify: () => undefined };
