/**
 * The Vault stand-in: a small HTTP server speaking the part of Vault's API the
 * broker uses, with Vault's request and response shapes, its ACL policies
 * enforced on every path it serves, and fault injection (down, slow, error,
 * sealed). It is NOT HashiCorp Vault: no storage, no seal, no audit device.
 * It exists because no Vault server can run where the broker is developed and
 * tested; it refuses to start in production.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { announce, logger } from '../platform/logger';
import { authorize } from './standin-authorize';
import { approleRoutes } from './approle-routes';
import { secretsRoutes } from './secrets-routes';
import { STANDIN_NOTICE, sysRoutes } from './sys-routes';
import { tokenRoutes } from './token-routes';
import { VaultApiError, invalid, type Route, type RouteAnswer } from './standin-route';
import { errorAnswer, lowerHeaders, readBody, sealedAnswer } from './standin-http';
import type { Clock } from './standin-records';
import { StandinState, randomId } from './standin-state';
import { parseDuration } from './vault-duration';

/** Faults the stand-in can play: down (connection refused), slow, error (500), sealed (503). */
export type StandinFault = 'down' | 'slow' | 'error' | 'sealed' | null;

/** Options for a stand-in. */
export interface StandinOptions {
  /** Port to listen on; 0 picks a free one. */
  port?: number;
  clock?: Clock;
  /** Delay of the `slow` fault, in milliseconds. */
  slowMs?: number;
  /** Skip the banner on standard output (tests). */
  quiet?: boolean;
  /** Refuses to start when this is 'production'. Defaults to NODE_ENV. */
  env?: string;
}

const ROUTES: Route[] = [...sysRoutes, ...tokenRoutes, ...approleRoutes, ...secretsRoutes];

/** A running stand-in. */
export class VaultStandin {
  readonly state: StandinState;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private fault: StandinFault = null;
  private port: number;
  private slowMs: number;

  constructor(private readonly options: StandinOptions = {}) {
    if ((options.env ?? process.env.NODE_ENV) === 'production') {
      throw new Error('the Vault stand-in is for development and tests; refused in production');
    }
    this.state = new StandinState(options.clock ?? Date.now);
    this.port = options.port ?? 0;
    this.slowMs = options.slowMs ?? 2000;
  }

  /** The root token, for setup and tests. */
  get rootToken(): string {
    return this.state.rootToken.id;
  }

  /** The address clients use (`VAULT_ADDR`). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening on loopback; prints the banner unless quiet. */
  async start(): Promise<this> {
    await this.listen();
    if (!this.options.quiet) announce(`${STANDIN_NOTICE} (${this.url})`);
    logger.warn('vault stand-in started', { url: this.url, notice: STANDIN_NOTICE });
    return this;
  }

  /** Stops for good. */
  async stop(): Promise<void> {
    await this.close();
  }

  /**
   * Injects a fault, or clears it with null. `down` stops listening and cuts
   * open connections so clients see ECONNREFUSED; clearing it listens again
   * on the same port with the same state, as a restarted Vault would.
   */
  async setFault(fault: StandinFault, options: { slowMs?: number } = {}): Promise<void> {
    if (options.slowMs !== undefined) this.slowMs = options.slowMs;
    const wasDown = this.fault === 'down';
    this.fault = fault;
    if (fault === 'down' && !wasDown) await this.close();
    if (fault !== 'down' && wasDown) await this.listen();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((req, res) => void this.serve(req, res));
      server.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        this.server = server;
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse) {
    let answer: RouteAnswer;
    try {
      const body = await readBody(req);
      if (this.fault === 'slow') await new Promise((r) => setTimeout(r, this.slowMs));
      answer = this.answer(req, body);
    } catch (error) {
      answer = errorAnswer(error);
    }
    res.statusCode = answer.status;
    res.setHeader('Cache-Control', 'no-store');
    if (answer.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(answer.body));
  }

  private answer(req: IncomingMessage, body: Record<string, unknown>): RouteAnswer {
    if (this.fault === 'error') throw new VaultApiError(500, ['stand-in: injected server error']);
    const url = new URL(req.url ?? '/', 'http://standin');
    if (!url.pathname.startsWith('/v1/')) throw new VaultApiError(404, []);
    const path = decodeURIComponent(url.pathname.slice(4)).replace(/\/+$/, '');
    const headers = lowerHeaders(req);
    const namespace = (headers['x-vault-namespace'] ?? '').replace(/^\/+|\/+$/g, '');
    const method = req.method ?? 'GET';

    if (this.fault === 'sealed') return sealedAnswer(path);
    this.state.purge();
    if (!this.state.namespaces.has(namespace)) {
      throw new VaultApiError(404, [`no handler for route "${path}". route entry not found.`]);
    }
    if (path === 'sys/standin/fault') return this.faultEndpoint(headers, body);

    const candidates = ROUTES.filter((r) => r.pattern.test(path));
    const route = candidates.find((r) => r.methods.includes(method));
    if (!route) throw new VaultApiError(405, ['unsupported operation']);
    const params = route.pattern.exec(path)!.slice(1);
    const ctx = { state: this.state, method, path, params, body, namespace, headers };
    const token = authorize(this.state, route, ctx);
    const result = route.handle({ ...ctx, token }) as RouteAnswer;
    const wrapTtl = headers['x-vault-wrap-ttl'];
    if (wrapTtl && token && result.status === 200 && path !== 'sys/wrapping/unwrap') {
      return this.wrap(result, wrapTtl, namespace, path);
    }
    return result;
  }

  // Response wrapping: the answer is kept behind a single-use token.
  // See https://developer.hashicorp.com/vault/docs/concepts/response-wrapping
  private wrap(result: RouteAnswer, wrapTtl: string, namespace: string, path: string) {
    const ttl = parseDuration(wrapTtl);
    if (!ttl) throw invalid('invalid wrap TTL');
    const now = this.state.now();
    const wrap = {
      token: randomId('hvs.', 24),
      accessor: randomId('', 18),
      namespace,
      ttl,
      createdAt: now,
      expiresAt: now + ttl * 1000,
      creationPath: path,
      response: result.body,
    };
    this.state.addWrap(wrap);
    const wrapInfo = {
      token: wrap.token,
      accessor: wrap.accessor,
      ttl,
      creation_time: new Date(now).toISOString(),
      creation_path: path,
      wrapped_accessor: '',
    };
    const body = { request_id: randomId(), lease_id: '', renewable: false, lease_duration: 0 };
    return {
      status: 200,
      body: { ...body, data: null, wrap_info: wrapInfo, warnings: null, auth: null },
    };
  }

  // Lets a separate process (the CLI, a browser test) inject faults; root only.
  private faultEndpoint(
    headers: Record<string, string | undefined>,
    body: Record<string, unknown>,
  ) {
    if (headers['x-vault-token'] !== this.rootToken)
      throw new VaultApiError(403, ['permission denied']);
    const fault = body.fault ?? null;
    if (!['down', 'slow', 'error', 'sealed', null].includes(fault as string | null)) {
      throw invalid('fault must be down, slow, error, sealed or null');
    }
    const slowMs = typeof body.slow_ms === 'number' ? body.slow_ms : undefined;
    // Going down closes this very connection, so answer first.
    setImmediate(() => void this.setFault(fault as StandinFault, { slowMs }));
    return { status: 204 };
  }
}
