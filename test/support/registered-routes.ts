/**
 * The routes an express 5 app has registered, whoever registered them, found
 * by walking its router stack; and a Vault for building the whole app whose
 * every use fails, for tests that only look at routes.
 */
import type { Express } from 'express';
import type { GrantVault } from '../../src/grants/grant-vault';

/** One registered route: a lowercase method and the full path pattern. */
export interface RegisteredRoute {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function join(prefix: string, path: string) {
  return `${prefix.replace(/\/$/, '')}/${path.replace(/^\//, '')}`.replace(/\/$/, '') || '/';
}

// Express 5 keeps each layer's path as given (`rawPath`); routers mounted
// with `use()` have a path of '/' unless mounted under a prefix.
function walk(stack: Layer[], prefix: string): RegisteredRoute[] {
  const found: RegisteredRoute[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        if (typeof path !== 'string')
          throw new Error(`route with a non-string path under ${prefix}`);
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') found.push({ method, path: join(prefix, path) });
        }
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
      found.push(...walk(layer.handle.stack, join(prefix, mount)));
    }
  }
  return found;
}

/** Every route `app` serves. */
export function registeredRoutes(app: Express): RegisteredRoute[] {
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
}

const unreachable = () => {
  throw new Error('this test only lists routes and must not reach Vault');
};

/** Mounts the grant routes in createApp; any call to it throws. */
export const unreachableVault: GrantVault = {
  issuers: new Proxy({} as GrantVault['issuers'], { get: unreachable }),
  wrap: unreachable,
  unwrap: unreachable,
  publicAddr: 'http://127.0.0.1:1',
  namespaceFor: () => undefined,
};
