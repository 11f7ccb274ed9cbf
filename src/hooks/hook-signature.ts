/**
 * HMAC-SHA256 signatures of offboarding hook calls (DESIGN.md section 8):
 * `X-Hook-Timestamp` holds Unix seconds and `X-Hook-Signature` holds
 * `sha256=<hex of HMAC(secret, "<timestamp>.<raw body>")>`. The timestamp is
 * inside the signed text, so a captured call cannot be re-dated, and calls
 * older (or newer) than the window are refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../platform/errors';

/** Seconds a signed call stays acceptable, either side of now. */
export const HOOK_WINDOW_SECONDS = 300;

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** The signature header value for `body` sent at `timestamp` (Unix seconds). */
export function signHook(secret: string, timestamp: number, body: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body);
  return `sha256=${mac.digest('hex')}`;
}

function badSignature() {
  return new AppError('hook.bad_signature', 401, 'invalid credentials');
}

/**
 * Throws 401 `hook.bad_signature` unless the headers carry a valid signature
 * of `body`, and 401 `hook.stale` when the signed timestamp is outside the
 * window. The signature is checked first, so an unsigned caller learns nothing.
 */
export function verifyHookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): void {
  const timestamp = headers.timestamp ?? '';
  const given = SIGNATURE.exec(headers.signature ?? '')?.[1];
  if (!TIMESTAMP.test(timestamp) || !given) throw badSignature();

  const expected = Buffer.from(signHook(secret, Number(timestamp), body).slice(7), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) throw badSignature();

  if (Math.abs(nowSeconds - Number(timestamp)) > HOOK_WINDOW_SECONDS) {
    throw new AppError('hook.stale', 401, 'invalid credentials');
  }
}
