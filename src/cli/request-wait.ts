/**
 * `jit request --wait`: polls a pending request until someone decides or the
 * wait runs out, then waits for the grant to leave `issuing`.
 */
import type { BrokerClient } from './broker-client';
import { usageError } from './exit-codes';

/** A request as the broker shows it (the fields the CLI reads). */
export interface RequestAnswer {
  id: string;
  status: 'pending' | 'approved' | 'denied' | 'cancelled' | 'expired';
  tenant: string;
  profile: string;
  grant_id?: string | null;
  grant_status?: string | null;
  decision_note?: string | null;
}

/** How often the CLI asks again; short enough to feel live, long enough to be cheap. */
const POLL_INTERVAL_MS = 2000;

/** Seconds in a wait limit such as `15m`, `1h`, `90s` or `120`. */
export function parseWait(text: string): number {
  const match = /^(\d{1,6})(s|m|h)?$/.exec(text.trim());
  if (!match) throw usageError('cli.bad_duration', `not a duration: ${text} (use 90s, 15m or 1h)`);
  const unit = { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** Polls until the request is decided and its grant issued, or `deadline` passes. */
export async function waitForDecision(
  client: BrokerClient,
  request: RequestAnswer,
  deadline: number,
): Promise<RequestAnswer> {
  let current = request;
  while (current.status === 'pending' && Date.now() < deadline) {
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    current = await client.call<RequestAnswer>('GET', `/requests/${current.id}`);
  }
  while (current.grant_id && current.grant_status === 'issuing' && Date.now() < deadline) {
    await sleep(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    const grant = await client.call<{ status: string }>('GET', `/grants/${current.grant_id}`);
    current = { ...current, grant_status: grant.status };
  }
  return current;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
