/**
 * The stand-in's memory: tokens, leases, wrapped responses, policies, mounts,
 * roles and namespaces, all keyed by namespace. Time comes from an injectable
 * clock so tests can pass a TTL without sleeping; whatever has expired is
 * purged before each request, so it is gone exactly as in Vault.
 */
import { randomBytes } from 'node:crypto';
import { parsePolicy, type PathRule } from './acl-policy';
import type { SshCa } from './openssh-cert';

/** Milliseconds since the epoch; tests pass a clock they can move. */
export type Clock = () => number;

/** A token of the token store. Times are in milliseconds. */
export interface StandinToken {
  id: string;
  accessor: string;
  namespace: string;
  policies: string[];
  meta: Record<string, string> | null;
  displayName: string;
  path: string;
  createdAt: number;
  /** The TTL asked at creation, in seconds; 0 means none (root). */
  creationTtl: number;
  expiresAt: number | null;
  /** Hard end set by explicit_max_ttl or the role's max; renewals stop there. */
  maxExpiresAt: number | null;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  orphan: boolean;
  parent: string | null;
}

/** A secret lease (database credentials). Revoked with its creating token. */
export interface StandinLease {
  id: string;
  namespace: string;
  issuedAt: number;
  expiresAt: number;
  maxExpiresAt: number;
  renewable: boolean;
  tokenId: string;
}

/** A response kept behind a single-use wrapping token. */
export interface WrappedResponse {
  token: string;
  accessor: string;
  namespace: string;
  ttl: number;
  createdAt: number;
  expiresAt: number;
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

/** A random id in the style of Vault's (prefix plus base62-ish). */
export function randomId(prefix = '', bytes = 18): string {
  return prefix + randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
}

/** Everything the stand-in knows. */
export class StandinState {
  readonly tokens = new Map<string, StandinToken>();
  readonly leases = new Map<string, StandinLease>();
  readonly wraps = new Map<string, WrappedResponse>();
  readonly policies = new Map<string, { hcl: string; rules: PathRule[] }>();
  readonly mounts = new Map<string, Mount>();
  readonly tokenRoles = new Map<string, Record<string, unknown>>();
  readonly appRoles = new Map<string, AppRole>();
  readonly authMounts = new Set<string>();
  readonly namespaces = new Set<string>(['']);
  readonly rootToken: StandinToken;

  constructor(readonly clock: Clock) {
    this.rootToken = this.createToken({
      namespace: '',
      policies: ['root'],
      displayName: 'root',
      path: 'auth/token/root',
      ttl: 0,
      renewable: false,
      orphan: true,
      parent: null,
    });
  }

  /** Current time in milliseconds. */
  now(): number {
    return this.clock();
  }

  /** A key for anything that lives inside a namespace. */
  key(namespace: string, name: string): string {
    return `${namespace}\u0000${name}`;
  }

  /** Creates a token; `ttl` 0 means no expiry (root tokens only). */
  createToken(input: {
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
  }): StandinToken {
    const now = this.now();
    const explicitMaxTtl = input.explicitMaxTtl ?? 0;
    const ttl = explicitMaxTtl > 0 ? Math.min(input.ttl, explicitMaxTtl) : input.ttl;
    const token: StandinToken = {
      id: randomId('hvs.', 24),
      accessor: randomId('', 18),
      namespace: input.namespace,
      policies: input.policies,
      meta: input.meta ?? null,
      displayName: input.displayName,
      path: input.path,
      createdAt: now,
      creationTtl: ttl,
      expiresAt: ttl > 0 ? now + ttl * 1000 : null,
      maxExpiresAt: explicitMaxTtl > 0 ? now + explicitMaxTtl * 1000 : null,
      explicitMaxTtl,
      period: input.period ?? 0,
      renewable: input.renewable,
      orphan: input.orphan,
      parent: input.parent,
    };
    this.tokens.set(token.id, token);
    return token;
  }

  /** The token with this accessor, if it is still alive. */
  tokenByAccessor(accessor: string): StandinToken | undefined {
    return [...this.tokens.values()].find((t) => t.accessor === accessor);
  }

  /** Revokes a token, its non-orphan children, and the leases it created. */
  revokeToken(token: StandinToken): void {
    this.tokens.delete(token.id);
    for (const child of [...this.tokens.values()]) {
      if (child.parent === token.id && !child.orphan) this.revokeToken(child);
    }
    for (const lease of [...this.leases.values()]) {
      if (lease.tokenId === token.id) this.leases.delete(lease.id);
    }
  }

  /** Stores an ACL policy after parsing it; throws on a bad policy. */
  putPolicy(namespace: string, name: string, hcl: string): void {
    this.policies.set(this.key(namespace, name), { hcl, rules: parsePolicy(hcl) });
  }

  /** The rules of the named policies in a namespace (unknown names grant nothing). */
  rulesOf(namespace: string, names: string[]): PathRule[][] {
    return names.map((name) => this.policies.get(this.key(namespace, name))?.rules ?? []);
  }

  /** The mount holding `path` in a namespace (longest matching prefix). */
  mountFor(namespace: string, path: string): { mountPath: string; mount: Mount } | undefined {
    let best: { mountPath: string; mount: Mount } | undefined;
    for (const [key, mount] of this.mounts) {
      const [ns, mountPath] = key.split('\u0000') as [string, string];
      if (ns !== namespace || !path.startsWith(`${mountPath}/`)) continue;
      if (!best || mountPath.length > best.mountPath.length) best = { mountPath, mount };
    }
    return best;
  }

  /** Drops expired tokens (with their leases), leases and wrapping tokens. */
  purge(): void {
    const now = this.now();
    for (const token of [...this.tokens.values()]) {
      if (token.expiresAt !== null && token.expiresAt <= now) this.revokeToken(token);
    }
    for (const lease of [...this.leases.values()]) {
      if (lease.expiresAt <= now) this.leases.delete(lease.id);
    }
    for (const wrap of [...this.wraps.values()]) {
      if (wrap.expiresAt <= now) this.wraps.delete(wrap.token);
    }
  }
}
