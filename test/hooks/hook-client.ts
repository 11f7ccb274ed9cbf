/**
 * Signed calls to the offboarding hooks, as an HR system would make them.
 */
import type { Express } from 'express';
import request from 'supertest';
import { signHook } from '../../src/hooks/hook-signature';

/** Options for a hook call: a different secret, a moved clock, raw text. */
export interface HookCallOptions {
  secret?: string;
  timestamp?: number;
  signature?: string;
}

/** POSTs `body` (object or raw text) to `/api/v1/hooks/<path>`, signed. */
export function postHook(
  app: Express,
  secret: string,
  path: string,
  body: unknown,
  options: HookCallOptions = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return request(app)
    .post(`/api/v1/hooks/${path}`)
    .set('Content-Type', 'application/json')
    .set('X-Hook-Timestamp', String(timestamp))
    .set(
      'X-Hook-Signature',
      options.signature ?? signHook(options.secret ?? secret, timestamp, raw),
    )
    .send(raw);
}

/** GETs a receipt, signed over the empty body. */
export function getReceipt(app: Express, secret: string, id: string) {
  const timestamp = Math.floor(Date.now() / 1000);
  return request(app)
    .get(`/api/v1/hooks/receipts/${id}`)
    .set('X-Hook-Timestamp', String(timestamp))
    .set('X-Hook-Signature', signHook(secret, timestamp, ''));
}
