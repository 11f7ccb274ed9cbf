/**
 * A tiny scripted HTTP server for the CLI's unit tests (argument handling,
 * exit codes, token file, refresh, step-up, unwrap). It answers what each
 * test scripts and records what it was sent. The end-to-end flow test runs
 * against the real broker instead.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A request the server received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** The scripted answer to one request. */
export type Handler = (request: Received) => { status: number; body?: unknown };

/** A running scripted server. */
export interface FakeServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a server answering `METHOD /path` keys from `routes`; 404 otherwise. */
export async function startFakeServer(routes: Record<string, Handler>): Promise<FakeServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const request = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: raw ? JSON.parse(raw) : undefined,
      };
      received.push(request);
      const handler = routes[`${request.method} ${path}`];
      const answer = handler
        ? handler(request)
        : { status: 404, body: { error: { code: 'route.not_found', message: 'No such route' } } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A broker-shaped error answer. */
export function brokerError(status: number, code: string) {
  return { status, body: { error: { code, message: `scripted ${code}`, request_id: 'test' } } };
}
