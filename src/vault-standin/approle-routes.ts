/**
 * The AppRole auth method, enough for the broker to log in: roles, their
 * role id, secret ids, and login.
 * See https://developer.hashicorp.com/vault/api-docs/auth/approle
 */
import { timingSafeEqual } from 'node:crypto';
import { parseDuration } from './vault-duration';
import { authBlock } from './token-routes';
import {
  NO_CONTENT,
  envelope,
  invalid,
  requireString,
  stringList,
  type Route,
  type RouteContext,
} from './standin-route';
import type { AppRole } from './standin-records';
import { randomId } from './standin-state';

function roleOf(ctx: RouteContext): AppRole {
  const role = ctx.state.appRoles.get(ctx.state.key(ctx.namespace, ctx.params[0]!));
  if (!role) throw invalid(`role ${ctx.params[0]} does not exist`);
  return role;
}

function requireMounted(ctx: RouteContext) {
  if (!ctx.state.authMounts.has(ctx.state.key(ctx.namespace, 'approle'))) {
    throw invalid('no handler for route "auth/approle": approle is not enabled');
  }
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function login(ctx: RouteContext) {
  requireMounted(ctx);
  const roleId = requireString(ctx.body, 'role_id');
  const secretId = requireString(ctx.body, 'secret_id');
  const now = ctx.state.now();
  for (const [key, role] of ctx.state.appRoles) {
    if (!key.startsWith(`${ctx.namespace}\u0000`) || !same(role.roleId, roleId)) continue;
    const entry = [...role.secretIds].find(([id]) => same(id, secretId));
    if (!entry || (entry[1].expiresAt !== null && entry[1].expiresAt <= now)) break;
    const s = role.settings;
    const token = ctx.state.createToken({
      namespace: ctx.namespace,
      policies: [...new Set(['default', ...stringList(s.token_policies)])].sort(),
      meta: { role_name: key.split('\u0000')[1]! },
      displayName: 'approle',
      path: 'auth/approle/login',
      ttl: parseDuration(s.token_period) ?? parseDuration(s.token_ttl) ?? 3600,
      explicitMaxTtl: parseDuration(s.token_max_ttl) ?? 0,
      period: parseDuration(s.token_period) ?? 0,
      renewable: true,
      orphan: true,
      parent: null,
    });
    return envelope({ auth: authBlock(token) });
  }
  throw invalid('invalid role or secret ID');
}

/** Routes of the AppRole auth method (mounted at `auth/approle`). */
export const approleRoutes: Route[] = [
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/approle\/login$/,
    auth: 'none',
    handle: login,
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/approle\/role\/([^/]+)$/,
    auth: 'acl',
    handle: (ctx) => {
      requireMounted(ctx);
      const key = ctx.state.key(ctx.namespace, ctx.params[0]!);
      const existing = ctx.state.appRoles.get(key);
      ctx.state.appRoles.set(key, {
        roleId: existing?.roleId ?? randomId('', 24),
        settings: { ...existing?.settings, ...ctx.body },
        secretIds: existing?.secretIds ?? new Map(),
      });
      return NO_CONTENT;
    },
  },
  {
    methods: ['GET'],
    pattern: /^auth\/approle\/role\/([^/]+)\/role-id$/,
    auth: 'acl',
    handle: (ctx) => envelope({ data: { role_id: roleOf(ctx).roleId } }),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^auth\/approle\/role\/([^/]+)\/secret-id$/,
    auth: 'acl',
    handle: (ctx) => {
      const role = roleOf(ctx);
      const ttl = parseDuration(role.settings.secret_id_ttl) ?? 0;
      const secretId = randomId('', 24);
      const accessor = randomId('', 18);
      const expiresAt = ttl > 0 ? ctx.state.now() + ttl * 1000 : null;
      role.secretIds.set(secretId, { accessor, expiresAt });
      return envelope({
        data: { secret_id: secretId, secret_id_accessor: accessor, secret_id_ttl: ttl },
      });
    },
  },
];
