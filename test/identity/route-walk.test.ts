/**
 * Walks every route the app has registered, whoever added it, and calls it
 * without a token: only the public allowlist may answer anything but 401.
 * Web pages (outside /api) may instead send the browser to the sign-in page.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { registeredRoutes, unreachableVault } from '../support/registered-routes';

const database = useTestDatabase();

// A concrete URL for a route pattern: parameters become a plausible id.
function concrete(path: string) {
  return path
    .replace(/\*\w*/g, 'x')
    .replace(/\{([^}]*)\}/g, '$1')
    .replace(/:(\w+)/g, (_m, name: string) =>
      /tenant/i.test(name) ? 'acme' : '00000000-0000-4000-8000-000000000000',
    );
}

const PUBLIC = [
  /^\/healthz$/,
  /^\/readyz$/,
  /^\/api\/v1\/auth\/(login|mfa|enroll|enroll\/confirm)$/,
  /^\/api\/v1\/audit\/public-key$/,
  /^\/api\/v1\/hooks\//,
  // The web form's own sign-in, enrollment and sign-out pages.
  /^\/(sign-in|enroll)(\/|$)/,
  /^\/sign-out$/,
];

// The refusal expected from a route: 401 for the API, a redirect to the
// sign-in page (or 401) for web pages.
function refused(path: string, status: number, location: string | undefined) {
  if (status === 401) return true;
  return !path.startsWith('/api/') && status === 303 && /^\/sign-in\b/.test(location ?? '');
}

describe('every registered route', () => {
  it('answers 401 without a token, except the public allowlist', async () => {
    // Grant routes are mounted only with a Vault; this one is never reached,
    // since every call is refused before any handler runs.
    const app: Express = createApp({
      config: testConfig(),
      db: database.db,
      vault: unreachableVault,
    });
    const routes = registeredRoutes(app);
    const guarded = routes.filter((route) => !PUBLIC.some((pattern) => pattern.test(route.path)));

    // The walk must find the routes we know exist, or it proves nothing.
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'get /healthz',
        'post /api/v1/auth/login',
        'post /api/v1/auth/step-up',
        'get /api/v1/me',
        'post /api/v1/technicians',
        'post /api/v1/technicians/:id/disable',
        'post /api/v1/grants/:id/checkout',
        'post /api/v1/sessions/:id/close',
      ]),
    );

    const answers: string[] = [];
    for (const route of guarded) {
      const url = concrete(route.path);
      const method = route.method as 'get' | 'post' | 'put' | 'delete' | 'patch';
      const agent = request(app);
      const res = await agent[method](url).set('content-type', 'application/json').send('{}');
      if (!refused(route.path, res.status, res.get('location'))) {
        answers.push(`${route.method} ${route.path} -> ${res.status}`);
      }
    }
    expect(answers).toEqual([]);
    expect(guarded.length).toBeGreaterThan(5);
  });
});
