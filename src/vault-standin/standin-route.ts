/**
 * The shape of a stand-in route and the answers it gives, following Vault's
 * HTTP API: JSON bodies, errors as `{"errors": [...]}`, secrets and auth in
 * the common response envelope.
 * See https://developer.hashicorp.com/vault/api-docs#http-status-codes
 */
import { randomUUID } from 'node:crypto';
import type { StandinToken } from './standin-records';
import type { StandinState } from './standin-state';

/** An error answer with Vault's body shape. */
export class VaultApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
  }
}

/** The standard refusal for a missing, expired or under-privileged token. */
export function permissionDenied(): VaultApiError {
  return new VaultApiError(403, ['permission denied']);
}

/** 400 with one message, Vault's answer to bad input. */
export function invalid(message: string): VaultApiError {
  return new VaultApiError(400, [message]);
}

/** What a route handler sees. */
export interface RouteContext {
  state: StandinState;
  method: string;
  /** The path under /v1, relative to the request's namespace. */
  path: string;
  params: string[];
  body: Record<string, unknown>;
  namespace: string;
  /** The caller's token, when the route needs one. */
  token?: StandinToken;
  headers: Record<string, string | undefined>;
}

/** A handler's answer: status and JSON body (none for 204). */
export interface RouteAnswer {
  status: number;
  body?: unknown;
}

/** How a route is authorised: not at all, any live token, or the ACL on its path. */
export type RouteAuth = 'none' | 'token' | 'acl';

/** One route of the stand-in. */
export interface Route {
  methods: string[];
  pattern: RegExp;
  auth: RouteAuth;
  /** Vault marks some paths as needing `sudo` on top of the operation's capability. */
  sudo?: boolean;
  handle(ctx: RouteContext): RouteAnswer | Promise<RouteAnswer>;
}

/** The common response envelope of Vault's API. */
export function envelope(fields: {
  data?: unknown;
  auth?: unknown;
  leaseId?: string;
  leaseDuration?: number;
  renewable?: boolean;
}): RouteAnswer {
  return {
    status: 200,
    body: {
      request_id: randomUUID(),
      lease_id: fields.leaseId ?? '',
      renewable: fields.renewable ?? false,
      lease_duration: fields.leaseDuration ?? 0,
      data: fields.data ?? null,
      wrap_info: null,
      warnings: null,
      auth: fields.auth ?? null,
      mount_type: '',
    },
  };
}

/** 204 No Content, Vault's answer to a successful write without data. */
export const NO_CONTENT: RouteAnswer = { status: 204 };

/** A required string field of the body, or a 400 naming it. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw invalid(`missing ${field}`);
  return value;
}

/** A list field given as an array or a comma-separated string. */
export function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }
  return [];
}

/** An ISO time for Vault's `*_time` fields. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
