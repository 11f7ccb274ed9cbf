/**
 * The token auth method: create (child, orphan, through a role), roles,
 * lookup and revoke by accessor, lookup/renew/revoke of the caller's own token.
 * See https://developer.hashicorp.com/vault/api-docs/auth/token
 */
import { parseDuration } from './vault-duration';
import {
  NO_CONTENT,
  VaultApiError,
  envelope,
  invalid,
  isoTime,
  requireString,
  stringList,
  type Route,
  type RouteContext,
} from './standin-route';
import type { StandinToken } from './standin-records';

// Vault's default token TTL when neither request nor role sets one (768h).
const SYSTEM_MAX_TTL = 768 * 3600;

/** The `auth` block Vault returns for a new token. */
export function authBlock(token: StandinToken) {
  const remaining = token.expiresAt === null ? 0 : Math.round(token.creationTtl);
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: remaining,
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: token.orphan,
    mfa_requirement: null,
    num_uses: 0,
  };
}

/** The `data` of a token lookup, as lookup-self and lookup-accessor return it. */
export function lookupData(token: StandinToken, now: number, hideId: boolean) {
  return {
    accessor: token.accessor,
    creation_time: Math.floor(token.createdAt / 1000),
    creation_ttl: token.creationTtl,
    display_name: token.displayName,
    entity_id: '',
    expire_time: token.expiresAt === null ? null : isoTime(token.expiresAt),
    explicit_max_ttl: token.explicitMaxTtl,
    id: hideId ? '' : token.id,
    issue_time: isoTime(token.createdAt),
    meta: token.meta,
    num_uses: 0,
    orphan: token.orphan,
    path: token.path,
    period: token.period || undefined,
    policies: token.policies,
    renewable: token.renewable,
    ttl: token.expiresAt === null ? 0 : Math.max(0, Math.round((token.expiresAt - now) / 1000)),
    type: 'service',
  };
}

function duration(body: Record<string, unknown>, field: string): number | undefined {
  try {
    return parseDuration(body[field]);
  } catch {
    throw invalid(`invalid ${field}`);
  }
}

function metaOf(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('invalid meta');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function createToken(ctx: RouteContext, roleName: string | null, orphanPath: boolean) {
  const caller = ctx.token!;
  const role = roleName ? ctx.state.tokenRoles.get(ctx.state.key(ctx.namespace, roleName)) : null;
  if (roleName && !role) throw invalid(`unknown role ${roleName}`);
  const isRoot = caller.policies.includes('root');

  let policies = stringList(ctx.body.policies);
  if (role) {
    const allowed = stringList(role.allowed_policies);
    if (policies.length === 0) policies = allowed;
    const outside = policies.filter((p) => !allowed.includes(p) && p !== 'default');
    if (allowed.length > 0 && outside.length > 0) {
      throw invalid(
        `token policies (${outside.join(', ')}) must be subset of the role's allowed policies`,
      );
    }
  } else if (!isRoot) {
    if (policies.length === 0) policies = caller.policies.filter((p) => p !== 'root');
    const outside = policies.filter((p) => !caller.policies.includes(p) && p !== 'default');
    if (outside.length > 0) throw invalid('child policies must be subset of parent');
  }
  if (ctx.body.no_default_policy !== true && !policies.includes('root')) {
    policies = [...new Set(['default', ...policies])];
  }
  policies.sort();

  const ttl = duration(ctx.body, 'ttl') ?? parseDuration(role?.token_ttl) ?? SYSTEM_MAX_TTL;
  const explicit = duration(ctx.body, 'explicit_max_ttl') ?? 0;
  const roleMax = parseDuration(role?.token_explicit_max_ttl) ?? 0;
  const explicitMaxTtl = [explicit, roleMax].filter((n) => n > 0).sort((a, b) => a - b)[0] ?? 0;
  const renewable = (role?.renewable ?? true) !== false && ctx.body.renewable !== false;
  // As Vault: a role decides orphaning; otherwise no_parent needs root (sudo in Vault).
  if (!role && ctx.body.no_parent === true && !isRoot) {
    throw invalid('root or sudo privileges required to create orphan token');
  }
  const orphan = orphanPath || (role ? role.orphan === true : ctx.body.no_parent === true);
  const display = String(ctx.body.display_name ?? '').trim();

  const token = ctx.state.createToken({
    namespace: ctx.namespace,
    policies,
    meta: metaOf(ctx.body.meta),
    displayName: `token${display ? `-${display}` : ''}`,
    path: roleName ? `auth/token/create/${roleName}` : 'auth/token/create',
    ttl,
    explicitMaxTtl,
    period: parseDuration(role?.token_period) ?? 0,
    renewable,
    orphan,
    parent: orphan ? null : caller.id,
  });
  return envelope({ auth: authBlock(token) });
}

function byAccessor(ctx: RouteContext): StandinToken {
  const accessor = requireString(ctx.body, 'accessor');
  const token = ctx.state.tokenByAccessor(accessor);
  if (!token || token.namespace !== ctx.namespace) throw invalid('invalid accessor');
  return token;
}

/** Routes of the token auth method. */
export const tokenRoutes: Route[] = [
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/create$/,
    auth: 'acl',
    handle: (ctx) => createToken(ctx, null, false),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/create-orphan$/,
    auth: 'acl',
    sudo: true,
    handle: (ctx) => createToken(ctx, null, true),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/create\/([^/]+)$/,
    auth: 'acl',
    handle: (ctx) => createToken(ctx, ctx.params[0]!, false),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/roles\/([^/]+)$/,
    auth: 'acl',
    handle: (ctx) => {
      ctx.state.tokenRoles.set(ctx.state.key(ctx.namespace, ctx.params[0]!), { ...ctx.body });
      return NO_CONTENT;
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/lookup-accessor$/,
    auth: 'acl',
    handle: (ctx) => envelope({ data: lookupData(byAccessor(ctx), ctx.state.now(), true) }),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/revoke-accessor$/,
    auth: 'acl',
    handle: (ctx) => {
      ctx.state.revokeToken(byAccessor(ctx));
      return NO_CONTENT;
    },
  },
  {
    methods: ['GET'],
    pattern: /^auth\/token\/lookup-self$/,
    auth: 'token',
    handle: (ctx) => envelope({ data: lookupData(ctx.token!, ctx.state.now(), false) }),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/renew-self$/,
    auth: 'token',
    handle: (ctx) => renewSelf(ctx),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/token\/revoke-self$/,
    auth: 'token',
    handle: (ctx) => {
      ctx.state.revokeToken(ctx.token!);
      return NO_CONTENT;
    },
  },
];

function renewSelf(ctx: RouteContext) {
  const token = ctx.token!;
  if (!token.renewable || token.expiresAt === null) throw invalid('lease is not renewable');
  const now = ctx.state.now();
  const increment = duration(ctx.body, 'increment') ?? (token.period || token.creationTtl);
  let expiresAt = now + increment * 1000;
  if (token.maxExpiresAt !== null) expiresAt = Math.min(expiresAt, token.maxExpiresAt);
  if (expiresAt <= now) throw new VaultApiError(400, ['past the max TTL, cannot renew']);
  ctx.state.renewToken(token, expiresAt);
  const auth = { ...authBlock(token), lease_duration: Math.round((expiresAt - now) / 1000) };
  return envelope({ auth });
}
