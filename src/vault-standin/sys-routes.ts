/**
 * The `sys/` part of Vault's API the broker and its setup use: health, ACL
 * policies, mounts, auth methods, namespaces, leases and response wrapping.
 * See https://developer.hashicorp.com/vault/api-docs/system
 */
import { parseDuration } from './vault-duration';
import {
  NO_CONTENT,
  VaultApiError,
  envelope,
  invalid,
  isoTime,
  requireString,
  type Route,
  type RouteContext,
} from './standin-route';
import { randomId } from './standin-state';

/** Marks every stand-in health answer so nobody mistakes it for Vault. */
export const STANDIN_NOTICE =
  'Vault STAND-IN for development and tests: this is NOT HashiCorp Vault';

function leaseOf(ctx: RouteContext) {
  const id = requireString(ctx.body, 'lease_id');
  const lease = ctx.state.leases.get(id);
  if (!lease || lease.namespace !== ctx.namespace) throw invalid('invalid lease');
  return lease;
}

function wrapTokenOf(ctx: RouteContext): string {
  const fromBody = ctx.body.token;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  const fromHeader = ctx.headers['x-vault-token'];
  if (fromHeader) return fromHeader;
  throw invalid('wrapping token is not valid or does not exist');
}

/** Routes under `sys/`. */
export const sysRoutes: Route[] = [
  {
    methods: ['GET', 'HEAD'],
    pattern: /^sys\/health$/,
    auth: 'none',
    handle: (ctx) => ({
      status: 200,
      body: {
        initialized: true,
        sealed: false,
        standby: false,
        performance_standby: false,
        replication_performance_mode: 'disabled',
        replication_dr_mode: 'disabled',
        server_time_utc: Math.floor(ctx.state.now() / 1000),
        version: '0.0.0-standin',
        cluster_name: 'vault-standin',
        cluster_id: 'standin',
        standin: true,
        notice: STANDIN_NOTICE,
      },
    }),
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/policies\/acl\/([^/]+)$/,
    auth: 'acl',
    handle: (ctx) => {
      try {
        ctx.state.putPolicy(ctx.namespace, ctx.params[0]!, requireString(ctx.body, 'policy'));
      } catch (error) {
        if (error instanceof VaultApiError) throw error;
        throw invalid(`failed to parse policy: ${(error as Error).message}`);
      }
      return NO_CONTENT;
    },
  },
  {
    methods: ['GET'],
    pattern: /^sys\/policies\/acl\/([^/]+)$/,
    auth: 'acl',
    handle: (ctx) => {
      const policy = ctx.state.policies.get(ctx.state.key(ctx.namespace, ctx.params[0]!));
      if (!policy) throw new VaultApiError(404, []);
      return envelope({ data: { name: ctx.params[0], policy: policy.hcl } });
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/mounts\/(.+)$/,
    auth: 'acl',
    handle: (ctx) => {
      const type = ctx.body.type;
      if (type !== 'database' && type !== 'ssh' && type !== 'kv' && type !== 'kv-v2') {
        throw invalid(`plugin not found in the catalog: ${String(type)}`);
      }
      const mountPath = ctx.params[0]!.replace(/\/$/, '');
      if (ctx.state.mounts.has(ctx.namespace, mountPath)) {
        throw invalid(`path is already in use at ${ctx.params[0]}/`);
      }
      ctx.state.mounts.add(ctx.namespace, mountPath, {
        type: type === 'kv-v2' ? 'kv' : type,
        roles: new Map(),
        config: new Map(),
        kv: new Map(),
      });
      return NO_CONTENT;
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/auth\/(.+)$/,
    auth: 'acl',
    sudo: true,
    handle: (ctx) => {
      if (ctx.body.type !== 'approle') throw invalid('only approle is available in the stand-in');
      const key = ctx.state.key(ctx.namespace, ctx.params[0]!.replace(/\/$/, ''));
      if (ctx.state.authMounts.has(key)) throw invalid('path is already in use at approle/');
      ctx.state.authMounts.add(key);
      return NO_CONTENT;
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/namespaces\/([^/]+)$/,
    auth: 'acl',
    handle: (ctx) => {
      const path = ctx.namespace ? `${ctx.namespace}/${ctx.params[0]}` : ctx.params[0]!;
      ctx.state.namespaces.add(path);
      return envelope({ data: { id: randomId('', 4), path: `${path}/`, custom_metadata: {} } });
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/leases\/lookup$/,
    auth: 'acl',
    handle: (ctx) => {
      const lease = leaseOf(ctx);
      const ttl = Math.max(0, Math.round((lease.expiresAt - ctx.state.now()) / 1000));
      return envelope({
        data: {
          id: lease.id,
          issue_time: isoTime(lease.issuedAt),
          expire_time: isoTime(lease.expiresAt),
          last_renewal: null,
          renewable: lease.renewable,
          ttl,
        },
      });
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/leases\/renew$/,
    auth: 'acl',
    handle: (ctx) => {
      const lease = leaseOf(ctx);
      if (!lease.renewable) throw invalid('lease is not renewable');
      const now = ctx.state.now();
      const increment = parseDuration(ctx.body.increment) ?? (lease.expiresAt - now) / 1000;
      ctx.state.renewLease(lease, Math.min(now + increment * 1000, lease.maxExpiresAt));
      const duration = Math.round((lease.expiresAt - now) / 1000);
      return envelope({ leaseId: lease.id, leaseDuration: duration, renewable: true });
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/leases\/revoke$/,
    auth: 'acl',
    handle: (ctx) => {
      // Vault answers 204 for a lease it does not know: revoking is idempotent.
      ctx.state.revokeLease(requireString(ctx.body, 'lease_id'));
      return NO_CONTENT;
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/leases\/revoke-prefix\/(.+)$/,
    auth: 'acl',
    sudo: true,
    handle: (ctx) => {
      ctx.state.revokeLeasePrefix(ctx.namespace, ctx.params[0]!);
      return NO_CONTENT;
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/wrapping\/wrap$/,
    auth: 'acl',
    handle: (ctx) => {
      if (!ctx.headers['x-vault-wrap-ttl']) throw invalid('wrap TTL is required');
      return envelope({ data: ctx.body });
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/wrapping\/unwrap$/,
    auth: 'none',
    handle: (ctx) => {
      // Single use: the first unwrap consumes it, any later one fails.
      const wrap = ctx.state.takeWrap(wrapTokenOf(ctx));
      if (!wrap) throw invalid('wrapping token is not valid or does not exist');
      return { status: 200, body: wrap.response };
    },
  },
  {
    methods: ['POST', 'PUT'],
    pattern: /^sys\/wrapping\/lookup$/,
    auth: 'none',
    handle: (ctx) => {
      const wrap = ctx.state.wraps.get(wrapTokenOf(ctx));
      if (!wrap) throw invalid('wrapping token is not valid or does not exist');
      return envelope({
        data: {
          creation_path: wrap.creationPath,
          creation_time: isoTime(wrap.createdAt),
          creation_ttl: wrap.ttl,
        },
      });
    },
  },
];
