/**
 * HTTP plumbing of the stand-in: reading JSON bodies and headers, and the
 * answers that do not come from a route (errors, a sealed Vault).
 */
import type { IncomingMessage } from 'node:http';
import { logger } from '../platform/logger';
import { STANDIN_NOTICE } from './sys-routes';
import { VaultApiError, invalid, type RouteAnswer } from './standin-route';

/** What a sealed Vault answers. */
export function sealedAnswer(path: string): RouteAnswer {
  if (path === 'sys/health') {
    return {
      status: 503,
      body: {
        initialized: true,
        sealed: true,
        standby: true,
        standin: true,
        notice: STANDIN_NOTICE,
      },
    };
  }
  return { status: 503, body: { errors: ['Vault is sealed'] } };
}

/** Vault's error body for a thrown error; anything unexpected is a logged 500. */
export function errorAnswer(error: unknown): RouteAnswer {
  if (error instanceof VaultApiError)
    return { status: error.status, body: { errors: error.errors } };
  logger.error('vault stand-in failed', { error });
  return { status: 500, body: { errors: ['internal error'] } };
}

/** Request headers by lower-case name, first value only. */
export function lowerHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value[0] : value;
  }
  return out;
}

/** The JSON object body, {} when empty; 400 as Vault answers for anything else. */
export async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // answered below
  }
  throw invalid('failed to parse JSON input');
}
