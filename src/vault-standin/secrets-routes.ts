/**
 * The secrets engines the broker uses, served under their mount paths:
 * database (dynamic credentials with a lease), ssh (certificates signed by
 * the mount's CA) and kv version 2 (for proving what a token can read).
 * See https://developer.hashicorp.com/vault/api-docs/secret/databases,
 * .../secret/ssh and .../secret/kv/kv-v2
 */
import { randomBytes } from 'node:crypto';
import { parseDuration } from './vault-duration';
import { generateSshCa, signUserCertificate } from './openssh-cert';
import {
  NO_CONTENT,
  VaultApiError,
  envelope,
  invalid,
  isoTime,
  requireString,
  stringList,
  type Route,
  type RouteAnswer,
  type RouteContext,
} from './standin-route';
import type { Mount } from './standin-records';
import { randomId } from './standin-state';

const SYSTEM_MAX_TTL = 768 * 3600;

function role(mount: Mount, name: string) {
  const found = mount.roles.get(name);
  if (!found) throw invalid(`unknown role: ${name}`);
  return found;
}

function databaseCreds(ctx: RouteContext, mountPath: string, mount: Mount, name: string) {
  const settings = role(mount, name);
  const ttl = parseDuration(settings.default_ttl) ?? SYSTEM_MAX_TTL;
  const maxTtl = parseDuration(settings.max_ttl) ?? SYSTEM_MAX_TTL;
  const now = ctx.state.now();
  const lease = {
    id: `${mountPath}/creds/${name}/${randomId('', 18)}`,
    namespace: ctx.namespace,
    issuedAt: now,
    expiresAt: now + Math.min(ttl, maxTtl) * 1000,
    maxExpiresAt: now + maxTtl * 1000,
    renewable: true,
    tokenId: ctx.token!.id,
  };
  ctx.state.addLease(lease);
  const username = `v-${ctx.token!.displayName.slice(0, 8)}-${name.slice(0, 8)}-${randomId('', 8)}`;
  const password = `A1a-${randomBytes(15).toString('base64url')}`;
  return envelope({
    data: { username, password },
    leaseId: lease.id,
    leaseDuration: Math.min(ttl, maxTtl),
    renewable: true,
  });
}

function sshSign(ctx: RouteContext, mount: Mount, name: string) {
  const settings = role(mount, name);
  if (!mount.ca) throw invalid('failed to get the signing key: no CA configured');
  if ((ctx.body.cert_type ?? 'user') !== 'user' || settings.allow_user_certificates !== true) {
    throw invalid('only user certificates are allowed by this role');
  }
  const allowed = stringList(settings.allowed_users);
  const principals = stringList(ctx.body.valid_principals);
  if (principals.length === 0) throw invalid('empty valid principals not allowed by role');
  for (const principal of principals) {
    if (!allowed.includes('*') && !allowed.includes(principal)) {
      throw invalid(`${principal} is not a valid value for valid_principals`);
    }
  }
  const keyId = ctx.body.key_id;
  if (keyId !== undefined && settings.allow_user_key_ids !== true) {
    throw invalid('setting key_id is not allowed by role');
  }
  const maxTtl = parseDuration(settings.max_ttl) ?? SYSTEM_MAX_TTL;
  const ttl = parseDuration(ctx.body.ttl) ?? parseDuration(settings.ttl) ?? maxTtl;
  if (ttl > maxTtl) throw invalid('ttl is larger than maximum allowed');
  // Vault backdates certificates by the role's not_before_duration (30s by default).
  const notBefore = parseDuration(settings.not_before_duration) ?? 30;
  const now = Math.floor(ctx.state.now() / 1000);
  const serial = randomBytes(8).readBigUInt64BE() >> 1n;
  let signed: string;
  try {
    signed = signUserCertificate(mount.ca, {
      publicKey: requireString(ctx.body, 'public_key'),
      serial,
      keyId: typeof keyId === 'string' ? keyId : `vault-${ctx.token!.displayName}`,
      principals,
      validAfter: now - notBefore,
      validBefore: now + ttl,
      extensions: (settings.default_extensions as Record<string, string>) ?? {},
    });
  } catch (error) {
    if (error instanceof VaultApiError) throw error;
    throw invalid(`failed to parse public_key: ${(error as Error).message}`);
  }
  return envelope({ data: { serial_number: serial.toString(16), signed_key: `${signed}\n` } });
}

function kv(ctx: RouteContext, mount: Mount, path: string): RouteAnswer {
  const entry = mount.kv.get(path);
  if (ctx.method === 'GET') {
    if (!entry) throw new VaultApiError(404, []);
    const metadata = { created_time: isoTime(entry.createdAt), version: entry.version };
    return envelope({
      data: { data: entry.data, metadata: { ...metadata, deletion_time: '', destroyed: false } },
    });
  }
  if (ctx.method === 'DELETE') {
    mount.kv.delete(path);
    return NO_CONTENT;
  }
  const data = ctx.body.data;
  if (typeof data !== 'object' || data === null) throw invalid('no data provided');
  const written = {
    data: data as Record<string, unknown>,
    version: (entry?.version ?? 0) + 1,
    createdAt: ctx.state.now(),
  };
  mount.kv.set(path, written);
  return envelope({ data: { created_time: isoTime(written.createdAt), version: written.version } });
}

function configure(ctx: RouteContext, mount: Mount, rest: string): RouteAnswer {
  if (mount.type === 'ssh' && rest === 'config/ca') {
    if (ctx.method === 'GET' && mount.ca)
      return envelope({ data: { public_key: mount.ca.publicKey } });
    if (ctx.method === 'GET') throw invalid('keys have not been configured yet');
    if (mount.ca) throw invalid('keys are already configured; delete them first');
    mount.ca = generateSshCa();
    return envelope({ data: { public_key: mount.ca.publicKey } });
  }
  const roleMatch = /^roles\/([^/]+)$/.exec(rest);
  if (roleMatch && ctx.method !== 'GET') {
    mount.roles.set(roleMatch[1]!, { ...ctx.body });
    return NO_CONTENT;
  }
  const configMatch = /^config\/([^/]+)$/.exec(rest);
  if (mount.type === 'database' && configMatch && ctx.method !== 'GET') {
    mount.config.set(configMatch[1]!, { ...ctx.body });
    return NO_CONTENT;
  }
  throw new VaultApiError(405, ['unsupported operation']);
}

/** Serves any path inside a mounted secrets engine. */
function serveMount(ctx: RouteContext): RouteAnswer {
  const found = ctx.state.mountFor(ctx.namespace, ctx.path);
  if (!found)
    throw new VaultApiError(404, [`no handler for route "${ctx.path}". route entry not found.`]);
  const { mountPath, mount } = found;
  const rest = ctx.path.slice(mountPath.length + 1);
  const creds = /^creds\/([^/]+)$/.exec(rest);
  if (mount.type === 'database' && creds && ctx.method === 'GET') {
    return databaseCreds(ctx, mountPath, mount, creds[1]!);
  }
  const sign = /^sign\/([^/]+)$/.exec(rest);
  if (mount.type === 'ssh' && sign && ctx.method !== 'GET') return sshSign(ctx, mount, sign[1]!);
  if (mount.type === 'kv' && rest.startsWith('data/')) return kv(ctx, mount, rest.slice(5));
  return configure(ctx, mount, rest);
}

/** The catch-all route for mounted engines; tried after every other route. */
export const secretsRoutes: Route[] = [
  { methods: ['GET', 'POST', 'PUT', 'DELETE'], pattern: /^(.+)$/, auth: 'acl', handle: serveMount },
];
