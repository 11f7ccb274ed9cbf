/**
 * Delivers request notices to one webhook, signed like the broker's incoming
 * hooks (DESIGN.md section 8): `X-Hook-Timestamp` (Unix seconds) and
 * `X-Hook-Signature: sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">`, so
 * the receiver can check origin and freshness with one shared secret.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { logger } from '../platform/logger';
import type { Notifier, RequestNotice } from './notifier';

/** How a WebhookNotifier delivers. */
export interface WebhookOptions {
  url: string;
  secret: string;
  /** Attempts per notice, the first included. */
  attempts?: number;
  /** Wait before the second attempt; doubles after each failure. */
  backoffMs?: number;
  /** Per-attempt time limit. */
  timeoutMs?: number;
}

/** Signs `body` for `timestamp` as the receiver will check it. */
export function signNotice(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Posts each notice in the background with retries and back-off.
 *
 * LIMITATION: notices wait in this process's memory between attempts, so a
 * crash or restart loses the ones not yet delivered; a manager may then not
 * hear of a pending request until they look at the pending list. They move
 * to the PostgreSQL job queue when it exists.
 */
export class WebhookNotifier implements Notifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: WebhookOptions) {
    this.attempts = options.attempts ?? 5;
    this.backoffMs = options.backoffMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  notify(notice: RequestNotice): void {
    const body = JSON.stringify({ event_id: randomUUID(), sent_at: new Date(), ...notice });
    const delivery = this.deliver(body, notice).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves when every notice queued so far is delivered or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(body: string, notice: RequestNotice): Promise<void> {
    const context = { type: notice.type, request_id: notice.request.id };
    let wait = this.backoffMs;
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      const outcome = await this.post(body);
      if (outcome === 'ok') return;
      logger.warn('notification attempt failed', { ...context, attempt, outcome });
      if (attempt < this.attempts) await sleep(wait);
      wait *= 2;
    }
    logger.error('notification given up', { ...context, attempts: this.attempts });
  }

  private async post(body: string): Promise<string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hook-timestamp': timestamp,
          'x-hook-signature': signNotice(this.options.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      return response.ok ? 'ok' : `status ${response.status}`;
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
    }
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
