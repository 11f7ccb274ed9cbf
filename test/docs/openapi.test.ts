/**
 * Keeps docs/openapi.yaml and the app's routes in step: every API route the
 * app registers (under /api/v1, plus /healthz, /readyz and /metrics) must be
 * documented with its method, and every documented operation must exist. A
 * route added without documentation, or a documented one removed, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { parse } from 'yaml';
import { createApp } from '../../src/app';
import { testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { registeredRoutes, unreachableVault } from '../support/registered-routes';

const database = useTestDatabase();

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation | unknown>>;
  components: Record<string, Record<string, unknown>>;
}

interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
}

interface Operation {
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  responses?: Record<string, unknown>;
}

function readSpec(): OpenApi {
  const file = path.join(__dirname, '..', '..', 'docs', 'openapi.yaml');
  return parse(readFileSync(file, 'utf8')) as OpenApi;
}

/** The API routes of an app as `method /path/{param}`, without the web form's pages. */
function apiRoutes(app: Express): string[] {
  const routes = registeredRoutes(app).map((route) => `${route.method} ${route.path}`);
  const api = routes.filter((route) => {
    const routePath = route.split(' ')[1]!;
    return (
      routePath.startsWith('/api/v1/') || ['/healthz', '/readyz', '/metrics'].includes(routePath)
    );
  });
  return [...new Set(api.map((route) => route.replace(/:(\w+)/g, '{$1}')))].sort();
}

/** The documented operations as `method /path/{param}`. */
function documented(spec: OpenApi): string[] {
  return Object.entries(spec.paths)
    .flatMap(([route, item]) =>
      Object.keys(item)
        .filter((key) => (METHODS as readonly string[]).includes(key))
        .map((method) => `${method} ${route}`),
    )
    .sort();
}

function operations(spec: OpenApi): [string, string, Operation][] {
  return Object.entries(spec.paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([key]) => (METHODS as readonly string[]).includes(key))
      .map(([method, op]) => [method, route, op as Operation] as [string, string, Operation]),
  );
}

// Every local reference in the document, wherever it sits.
function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
  );
}

function resolve(spec: OpenApi, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], spec);
}

// Every string literal of the source, to check that documented codes exist.
function sourceLiterals(): Set<string> {
  const root = path.join(__dirname, '..', '..', 'src');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.ts'),
  );
  const literals = files.flatMap((file) =>
    [...readFileSync(path.join(root, file), 'utf8').matchAll(/'([a-z_]+\.[a-z_]+)'/g)].map(
      (match) => match[1]!,
    ),
  );
  return new Set(literals);
}

/** The error codes an operation lists after "Errors:" in its description. */
function listedCodes(op: Operation): string[] {
  const errors = op.description?.split('Errors:')[1] ?? '';
  return [...errors.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((match) => match[1]!);
}

function buildApp(): Express {
  // METRICS_PUBLIC adds the unauthenticated /metrics, which is documented too.
  return createApp({
    config: testConfig({ METRICS_PUBLIC: 'true' }),
    db: database.db,
    vault: unreachableVault,
  });
}

describe('docs/openapi.yaml', () => {
  it('is an OpenAPI 3.1 document with servers, both security schemes and the Error schema', () => {
    const spec = readSpec();

    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
    expect(spec.servers?.length).toBeGreaterThan(0);
    expect(Object.keys(spec.components.securitySchemes ?? {}).sort()).toEqual(
      expect.arrayContaining(['bearer', 'hookSignature', 'hookTimestamp']),
    );
    expect(spec.components.schemas?.Error).toBeDefined();
  });

  it('documents every API route the app registers, with its method', () => {
    const routes = apiRoutes(buildApp());
    const docs = documented(readSpec());

    // The walk must find the routes we know exist, or it proves nothing.
    expect(routes).toEqual(
      expect.arrayContaining([
        'get /healthz',
        'post /api/v1/hooks/technician-offboarded',
        'post /api/v1/grants/{id}/checkout',
        'delete /api/v1/tenants/{tenant}/assignments/{technician}',
      ]),
    );
    expect(routes.filter((route) => !docs.includes(route))).toEqual([]);
  });

  it('documents no operation the app does not serve', () => {
    const routes = apiRoutes(buildApp());
    const docs = documented(readSpec());

    expect(docs.filter((route) => !routes.includes(route))).toEqual([]);
  });

  it('finds a route added without documentation', () => {
    const app = buildApp();
    const extra = express.Router();
    extra.post('/api/v1/undocumented/:id', (_req, res) => {
      res.end();
    });
    app.use(extra);

    const docs = documented(readSpec());

    expect(apiRoutes(app).filter((route) => !docs.includes(route))).toEqual([
      'post /api/v1/undocumented/{id}',
    ]);
  });

  it('resolves every $ref inside the document', () => {
    const spec = readSpec();

    const broken = refsIn(spec).filter((ref) => resolve(spec, ref) === undefined);

    expect(broken).toEqual([]);
  });

  it('gives each operation a summary, responses, and a declared parameter per path segment', () => {
    const spec = readSpec();
    const problems: string[] = [];

    for (const [method, route, op] of operations(spec)) {
      const name = `${method} ${route}`;
      if (!op.summary) problems.push(`${name}: no summary`);
      if (!op.responses || Object.keys(op.responses).length === 0) {
        problems.push(`${name}: no responses`);
      }
      const declared = (op.parameters ?? [])
        .map((p) => (p.$ref ? (resolve(spec, p.$ref) as Parameter | undefined) : p))
        .filter((p) => p?.in === 'path')
        .map((p) => p?.name);
      for (const [, param] of route.matchAll(/\{(\w+)\}/g)) {
        if (!declared.includes(param)) problems.push(`${name}: path parameter ${param} undeclared`);
      }
    }

    expect(problems).toEqual([]);
  });

  it('lists for each operation only error codes the source really throws', () => {
    const spec = readSpec();
    const literals = sourceLiterals();
    const invented: string[] = [];
    let listed = 0;

    for (const [method, route, op] of operations(spec)) {
      const codes = listedCodes(op);
      listed += codes.length;
      for (const code of codes) {
        if (!literals.has(code)) invented.push(`${method} ${route}: ${code}`);
      }
    }

    expect(invented).toEqual([]);
    // Guards the check itself: the descriptions must be read, or it proves nothing.
    expect(listed).toBeGreaterThan(100);
  });
});
