/**
 * Who may call a stand-in route: the token must be alive, belong to the
 * request's namespace or a parent of it, and hold the capability the
 * operation needs on the path under its policies (root may do anything).
 * See https://developer.hashicorp.com/vault/docs/concepts/policies#capabilities
 */
import { capabilitiesFor } from './acl-policy';
import { permissionDenied, type Route, type RouteContext } from './standin-route';
import type { StandinToken } from './standin-records';
import type { StandinState } from './standin-state';

function neededCapabilities(method: string): string[] {
  if (method === 'GET' || method === 'HEAD') return ['read'];
  if (method === 'DELETE') return ['delete'];
  // LIMITATION: Vault asks `create` for a new entry and `update` for an
  // existing one; the stand-in does not track existence per path and accepts
  // either, so a policy granting only one of them is looser here than in Vault.
  return ['create', 'update'];
}

/** Returns the caller's token when allowed, throws 403 permission denied otherwise. */
export function authorize(
  state: StandinState,
  route: Route,
  ctx: Omit<RouteContext, 'token'>,
): StandinToken | undefined {
  const id = ctx.headers['x-vault-token'];
  const token = id ? state.tokens.get(id) : undefined;
  if (route.auth === 'none') return token;
  if (!token) throw permissionDenied();

  const tokenNs = token.namespace;
  const inside =
    tokenNs === '' || ctx.namespace === tokenNs || ctx.namespace.startsWith(`${tokenNs}/`);
  if (!inside) throw permissionDenied();
  if (route.auth === 'token' || token.policies.includes('root')) return token;

  // A parent namespace's policy names child paths with the namespace prefix.
  const relativeNs = ctx.namespace.slice(tokenNs.length).replace(/^\//, '');
  const aclPath = relativeNs ? `${relativeNs}/${ctx.path}` : ctx.path;
  const caps = capabilitiesFor(state.rulesOf(tokenNs, token.policies), aclPath);
  if (caps.has('deny')) throw permissionDenied();
  if (!neededCapabilities(ctx.method).some((c) => caps.has(c))) throw permissionDenied();
  if (route.sudo && !caps.has('sudo')) throw permissionDenied();
  return token;
}
