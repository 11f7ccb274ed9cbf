import request from 'supertest';
import { createApp } from '../../src/app';
import { connectDatabase } from '../../src/platform/database';
import { useTestDatabase } from '../support/database';
import { testConfig } from '../support/factories';

const database = useTestDatabase();

describe('GET /healthz and /readyz', () => {
  it('says alive and ready when the database answers', async () => {
    const app = createApp({ config: testConfig(), db: database.db });
    expect((await request(app).get('/healthz')).status).toBe(200);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok' });
  });

  it('answers 503 naming the database when it is down', async () => {
    // A port nothing listens on stands for a database that went away.
    const down = connectDatabase('postgres://nobody:x@127.0.0.1:1/none');
    const app = createApp({ config: testConfig(), db: down });
    const res = await request(app).get('/readyz');
    await down.destroy();
    expect(res.status).toBe(503);
    expect(res.body.checks.database).toBe('failed');
    expect(res.body.error.message).toContain('database');
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('answers 503 naming any other failed check', async () => {
    const app = createApp({
      config: testConfig(),
      db: database.db,
      readiness: { vault: async () => false },
    });
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: 'ok', vault: 'failed' });
  });
});
