/**
 * What the stand-in remembers: tokens, leases, wrapped responses, mounts and
 * AppRole roles. Fields that key an index of `StandinState` (ids, accessor,
 * parent, owner) or schedule an expiry are read-only here, so only the state's
 * methods can change them and its indexes cannot drift.
 */
import type { SshCa } from './openssh-cert';

/** Milliseconds since the epoch; tests pass a clock they can move. */
export type Clock = () => number;

/** A token of the token store. Times are in milliseconds. */
export interface StandinToken {
  readonly id: string;
  readonly accessor: string;
  namespace: string;
  policies: string[];
  meta: Record<string, string> | null;
  displayName: string;
  path: string;
  createdAt: number;
  /** The TTL asked at creation, in seconds; 0 means none (root). */
  creationTtl: number;
  /** Changed only through `StandinState.renewToken`, which reschedules the expiry. */
  readonly expiresAt: number | null;
  /** Hard end set by explicit_max_ttl or the role's max; renewals stop there. */
  maxExpiresAt: number | null;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  readonly orphan: boolean;
  readonly parent: string | null;
}

/** What a new token is made of; `ttl` 0 means no expiry (root tokens only). */
export interface NewToken {
  namespace: string;
  policies: string[];
  meta?: Record<string, string> | null;
  displayName: string;
  path: string;
  ttl: number;
  explicitMaxTtl?: number;
  period?: number;
  renewable: boolean;
  orphan: boolean;
  parent: string | null;
}

/** A secret lease (database credentials). Revoked with its creating token. */
export interface StandinLease {
  readonly id: string;
  readonly namespace: string;
  issuedAt: number;
  /** Changed only through `StandinState.renewLease`, which reschedules the expiry. */
  readonly expiresAt: number;
  maxExpiresAt: number;
  renewable: boolean;
  readonly tokenId: string;
}

/** A response kept behind a single-use wrapping token. */
export interface WrappedResponse {
  readonly token: string;
  accessor: string;
  namespace: string;
  ttl: number;
  createdAt: number;
  readonly expiresAt: number;
  creationPath: string;
  response: unknown;
}

/** A secrets engine mounted at a path. */
export interface Mount {
  type: 'database' | 'ssh' | 'kv';
  roles: Map<string, Record<string, unknown>>;
  config: Map<string, Record<string, unknown>>;
  ca?: SshCa;
  kv: Map<string, { data: Record<string, unknown>; version: number; createdAt: number }>;
}

/** An AppRole role with its secret ids (kept hashed in real Vault; here in memory). */
export interface AppRole {
  roleId: string;
  settings: Record<string, unknown>;
  secretIds: Map<string, { accessor: string; expiresAt: number | null }>;
}
