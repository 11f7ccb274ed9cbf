import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signNotice, WebhookNotifier } from '../../src/notifications/webhook-notifier';
import type { RequestNotice } from '../../src/notifications/notifier';
import { useTestDatabase } from '../support/database';
import { testConfig } from '../support/factories';
import { buildWorld } from './access-world';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';
let server: Server;
let url: string;
let received: { headers: IncomingHttpHeaders; body: string }[];
let failuresLeft: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = failuresLeft-- > 0 ? 503 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  received = [];
  failuresLeft = 0;
});

const notice: RequestNotice = {
  type: 'request.pending',
  request: {
    id: 'b3c1c7a4-5d1e-4d43-9a2e-1f6f0c7d9a10',
    tenant: 'acme',
    profile: 'admin',
    status: 'pending',
    requester: { id: 'x', email: 'tech@msp.example' },
    duration_seconds: 3600,
    justification: 'Patching the domain controller',
    ticket: 'PSA-1',
    approvals_required: 1,
  },
};

describe('WebhookNotifier', () => {
  it('posts the notice signed with HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    const notifier = new WebhookNotifier({ url, secret: SECRET });
    notifier.notify(notice);
    await notifier.idle();
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    const timestamp = headers['x-hook-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    expect(headers['x-hook-signature']).toBe(signNotice(SECRET, timestamp, body));
    expect(headers['x-hook-signature']).not.toBe(signNotice('another-secret', timestamp, body));
    expect(JSON.parse(body)).toMatchObject({
      type: 'request.pending',
      request: { id: notice.request.id },
    });
    expect(JSON.parse(body).event_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries a failing receiver until it accepts', async () => {
    failuresLeft = 2;
    const notifier = new WebhookNotifier({ url, secret: SECRET, backoffMs: 1 });
    notifier.notify(notice);
    await notifier.idle();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => JSON.parse(r.body).event_id)).size).toBe(1);
  });

  it('gives up after its attempts without throwing', async () => {
    failuresLeft = 100;
    const notifier = new WebhookNotifier({ url, secret: SECRET, backoffMs: 1, attempts: 3 });
    expect(() => notifier.notify(notice)).not.toThrow();
    await notifier.idle();
    expect(received).toHaveLength(3);
  });

  it('survives an unreachable receiver', async () => {
    const notifier = new WebhookNotifier({
      url: 'http://127.0.0.1:1/hook',
      secret: SECRET,
      backoffMs: 1,
      attempts: 2,
    });
    notifier.notify(notice);
    await expect(notifier.idle()).resolves.toBeUndefined();
  });
});

describe('notices from requests', () => {
  const database = useTestDatabase();

  it('a request waiting for approval is notified, and a dead webhook never fails it', async () => {
    const config = testConfig({ NOTIFY_WEBHOOK_URL: url, NOTIFY_WEBHOOK_SECRET: SECRET });
    const notifier = new WebhookNotifier({ url, secret: SECRET, backoffMs: 1 });
    const world = await buildWorld(database.db, config, notifier);
    const res = await world.ask(world.people.tech, world.adminBody());
    expect(res.status).toBe(201);
    await notifier.idle();
    expect(received.map((r) => JSON.parse(r.body).type)).toEqual(['request.pending']);

    const dead = new WebhookNotifier({ url: 'http://127.0.0.1:1/', secret: SECRET, backoffMs: 1 });
    const other = await buildWorld(database.db, config, dead);
    const ok = await other.ask(other.people.tech, other.adminBody());
    expect(ok.status).toBe(201);
    await dead.idle();
  });
});
