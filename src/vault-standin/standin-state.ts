/**
 * The stand-in's memory: tokens, leases, wrapped responses, policies, mounts,
 * roles and namespaces, all keyed by namespace. Time comes from an injectable
 * clock so tests can pass a TTL without sleeping; whatever has expired is
 * purged before each request, so it is gone exactly as in Vault.
 *
 * A request costs O(1) or O(log n) here in the number of tokens, leases and
 * wraps held, so a long benchmark does not slow the stand-in down (a revoke
 * costs what it revokes; revoke-prefix alone scans). Tokens, leases and wraps
 * change only through the methods below, which keep the indexes (accessor ->
 * token, parent -> children, token -> leases) in step with the maps and put
 * every end in an expiry queue that `purge` pops only while its top is due.
 */
import { randomBytes } from 'node:crypto';
import { parsePolicy, type PathRule } from './acl-policy';
import { ExpiryQueue, type ExpiryEntry } from './expiry-queue';
import { IdIndex } from './id-index';
import { MountTable } from './mount-table';
import type { AppRole, Clock, Mount, NewToken, StandinLease } from './standin-records';
import type { StandinToken, WrappedResponse } from './standin-records';

type Expiring = 'token' | 'lease' | 'wrap';
type Writable<T> = { -readonly [K in keyof T]: T[K] };

// Stale queue entries (of revoked or renewed objects) are swept once they
// outnumber the live objects by this much, so small states never sweep.
const STALE_SLACK = 1024;

/** A random id in the style of Vault's (prefix plus base62-ish). */
export function randomId(prefix = '', bytes = 18): string {
  return prefix + randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
}

/** Everything the stand-in knows. */
export class StandinState {
  private readonly tokenById = new Map<string, StandinToken>();
  private readonly leaseById = new Map<string, StandinLease>();
  private readonly wrapByToken = new Map<string, WrappedResponse>();
  private readonly tokenIdByAccessor = new Map<string, string>();
  /** Non-orphan children only: the tokens revoked with their parent. */
  private readonly childIdsOf = new IdIndex();
  private readonly leaseIdsOf = new IdIndex();
  private readonly expiries = new ExpiryQueue<Expiring>();

  /** Live tokens by id; changed through createToken, renewToken and revokeToken. */
  readonly tokens: ReadonlyMap<string, StandinToken> = this.tokenById;
  /** Live leases by id; changed through addLease, renewLease and the revoke methods. */
  readonly leases: ReadonlyMap<string, StandinLease> = this.leaseById;
  /** Wrapped responses by wrapping token; changed through addWrap and takeWrap. */
  readonly wraps: ReadonlyMap<string, WrappedResponse> = this.wrapByToken;
  readonly policies = new Map<string, { hcl: string; rules: PathRule[] }>();
  readonly mounts = new MountTable();
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
  createToken(input: NewToken): StandinToken {
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
    this.tokenById.set(token.id, token);
    this.tokenIdByAccessor.set(token.accessor, token.id);
    if (token.parent !== null && !token.orphan) this.childIdsOf.add(token.parent, token.id);
    if (token.expiresAt !== null) this.schedule('token', token.id, token.expiresAt);
    return token;
  }

  /** The token with this accessor, if it is still alive. */
  tokenByAccessor(accessor: string): StandinToken | undefined {
    const id = this.tokenIdByAccessor.get(accessor);
    return id === undefined ? undefined : this.tokenById.get(id);
  }

  /** Moves a token's end to `expiresAt` (a renewal, already capped by the caller). */
  renewToken(token: StandinToken, expiresAt: number): void {
    if (token.expiresAt === expiresAt) return; // already scheduled at that end
    (token as Writable<StandinToken>).expiresAt = expiresAt;
    this.schedule('token', token.id, expiresAt);
  }

  /** Revokes a token, its non-orphan children (and theirs), and the leases they created. */
  revokeToken(token: StandinToken): void {
    // A stack rather than recursion: a long chain of child tokens cannot overflow it.
    const pending = [token.id];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      const revoked = this.tokenById.get(id);
      if (revoked) {
        this.tokenById.delete(id);
        this.tokenIdByAccessor.delete(revoked.accessor);
        if (revoked.parent !== null) this.childIdsOf.remove(revoked.parent, id);
      }
      for (const child of this.childIdsOf.take(id)) pending.push(child);
      for (const leaseId of this.leaseIdsOf.take(id)) this.leaseById.delete(leaseId);
    }
  }

  /** Stores a new lease, owned by `lease.tokenId`. */
  addLease(lease: StandinLease): void {
    this.leaseById.set(lease.id, lease);
    this.leaseIdsOf.add(lease.tokenId, lease.id);
    this.schedule('lease', lease.id, lease.expiresAt);
  }

  /** Moves a lease's end to `expiresAt` (a renewal, already capped by the caller). */
  renewLease(lease: StandinLease, expiresAt: number): void {
    if (lease.expiresAt === expiresAt) return; // already scheduled at that end
    (lease as Writable<StandinLease>).expiresAt = expiresAt;
    this.schedule('lease', lease.id, expiresAt);
  }

  /** Revokes one lease; an unknown id is no error, as revoking is idempotent in Vault. */
  revokeLease(id: string): void {
    const lease = this.leaseById.get(id);
    if (!lease) return;
    this.leaseById.delete(id);
    this.leaseIdsOf.remove(lease.tokenId, id);
  }

  /** Revokes every lease of a namespace whose id starts with `prefix`. */
  revokeLeasePrefix(namespace: string, prefix: string): void {
    // A full scan, O(n), but only on this rare sudo operation. Deleting the
    // entry being visited is safe while iterating a Map.
    for (const lease of this.leaseById.values()) {
      if (lease.namespace === namespace && lease.id.startsWith(prefix)) this.revokeLease(lease.id);
    }
  }

  /** Keeps a response behind its single-use wrapping token until `wrap.expiresAt`. */
  addWrap(wrap: WrappedResponse): void {
    this.wrapByToken.set(wrap.token, wrap);
    this.schedule('wrap', wrap.token, wrap.expiresAt);
  }

  /** Removes and returns a wrapped response: a wrapping token unwraps once. */
  takeWrap(token: string): WrappedResponse | undefined {
    const wrap = this.wrapByToken.get(token);
    this.wrapByToken.delete(token);
    return wrap;
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
    return this.mounts.find(namespace, path);
  }

  /** Drops expired tokens (with their children and leases), leases and wrapping tokens. */
  purge(): void {
    const now = this.now();
    for (let due = this.expiries.popDue(now); due; due = this.expiries.popDue(now)) {
      // The entry may be stale: its object revoked, or renewed to a later end.
      const end = this.endOf(due);
      if (end === undefined || end === null || end > now) continue;
      if (due.kind === 'token') this.revokeToken(this.tokenById.get(due.id)!);
      else if (due.kind === 'lease') this.revokeLease(due.id);
      else this.wrapByToken.delete(due.id);
    }
  }

  // The current end of the object an entry names; undefined once it is gone.
  private endOf(entry: ExpiryEntry<Expiring>): number | null | undefined {
    if (entry.kind === 'token') return this.tokenById.get(entry.id)?.expiresAt;
    if (entry.kind === 'lease') return this.leaseById.get(entry.id)?.expiresAt;
    return this.wrapByToken.get(entry.id)?.expiresAt;
  }

  private schedule(kind: Expiring, id: string, at: number): void {
    // An infinite end (an absurdly long TTL) is never due, so it needs no entry.
    if (!Number.isFinite(at)) return;
    this.expiries.push({ at, kind, id });
    const live = this.tokenById.size + this.leaseById.size + this.wrapByToken.size;
    if (this.expiries.size > 2 * live + STALE_SLACK) {
      // Keep one entry per live object, at its current end.
      const kept = new Set<string>();
      this.expiries.retain((entry) => {
        const key = `${entry.kind} ${entry.id}`;
        if (this.endOf(entry) !== entry.at || kept.has(key)) return false;
        kept.add(key);
        return true;
      });
    }
  }
}
