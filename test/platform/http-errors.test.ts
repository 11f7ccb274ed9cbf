import express from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { errorHandler } from '../../src/platform/http-errors';
import { jsonBody, requestContext } from '../../src/platform/http';
import { captureLogs } from '../support/log-capture';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn, testConfig } from '../support/factories';

const database = useTestDatabase();

// A tiny app with one echo route and one failing route, wired with the same
// middleware as the broker, to see the error mapping in isolation.
function probeApp() {
  const app = express();
  app.use(requestContext());
  app.use(jsonBody('1kb'));
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/boom', () => {
    throw new Error('database password is hunter2 at 10.0.0.5');
  });
  app.use(errorHandler);
  return app;
}

describe('error mapping', () => {
  it('answers an unknown route with 404 route.not_found', async () => {
    const config = testConfig();
    const app = createApp({ config, db: database.db });
    const admin = await createTechnician(database.db, { role: 'admin' });
    const { authorization } = await signIn(database.db, config, admin.id);

    const res = await request(app).get('/api/v1/no-such-thing').set('authorization', authorization);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route.not_found');
    expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
    expect((await request(app).get('/no-such-page')).status).toBe(404);
  });

  it('answers an unknown API route 401 to a caller without a token', async () => {
    // Without a token nobody learns which API routes exist.
    const app = createApp({ config: testConfig(), db: database.db });
    const res = await request(app).get('/api/v1/no-such-thing');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.unauthenticated');
  });

  it('answers malformed JSON with 400 request.malformed_json', async () => {
    const res = await request(probeApp())
      .post('/echo')
      .set('content-type', 'application/json')
      .send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('request.malformed_json');
  });

  it('answers a body over the limit with 413 request.too_large', async () => {
    const res = await request(probeApp())
      .post('/echo')
      .send({ text: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('request.too_large');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'answers a %s body with 415',
    async (type) => {
      const res = await request(probeApp()).post('/echo').set('content-type', type).send('a=1');
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('request.unsupported_media_type');
    },
  );

  it('passes a JSON body through', async () => {
    const res = await request(probeApp()).post('/echo').send({ a: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ a: 1 });
  });

  it('hides an unexpected error behind a generic 500 and logs it once', async () => {
    const logs = captureLogs();
    const res = await request(probeApp()).get('/boom');
    logs.stop();
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal');
    expect(JSON.stringify(res.body)).not.toMatch(/hunter2|10\.0\.0\.5|Error/);
    const logged = logs.lines.filter((l) => l.includes('unexpected error'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(res.body.error.request_id);
  });
});

describe('request ids', () => {
  it('gives every response a fresh id', async () => {
    const app = probeApp();
    const [a, b] = await Promise.all([
      request(app).post('/echo').send({}),
      request(app).post('/echo').send({}),
    ]);
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('keeps a plain caller id and replaces a suspicious one', async () => {
    const app = probeApp();
    const kept = await request(app).post('/echo').set('x-request-id', 'lb-1234abcd').send({});
    expect(kept.headers['x-request-id']).toBe('lb-1234abcd');
    for (const suspicious of ['<script>alert(1)</script>', 'x'.repeat(200), 'a b c d e f']) {
      const replaced = await request(app).post('/echo').set('x-request-id', suspicious).send({});
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('puts the request id on the log line about the request', async () => {
    const logs = captureLogs();
    const res = await request(probeApp()).post('/echo').send({});
    logs.stop();
    const line = logs.lines.find((l) => l.includes('request served'));
    expect(line).toContain(res.headers['x-request-id']);
  });
});
