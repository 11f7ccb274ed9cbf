import request from 'supertest';
import { createApp } from '../../src/app';
import { testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();

describe('per-address rate limit on sign-in', () => {
  it('answers 429 auth.rate_limited past the limit, across sign-in routes', async () => {
    const config = testConfig({ AUTH_RATE_LIMIT: '3', AUTH_RATE_WINDOW: '600' });
    const app = createApp({ config, db: database.db });
    const body = { email: 'nobody@msp.example', password: 'some password here' };

    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await request(app).post('/api/v1/auth/login').send(body)).status);
    }
    const limited = await request(app).post('/api/v1/auth/mfa').send({ challenge: 'x', code: '1' });

    expect(statuses).toEqual([401, 401, 401]);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth.rate_limited');
  });

  it('does not limit an address below the limit in another app instance', async () => {
    const config = testConfig({ AUTH_RATE_LIMIT: '3', AUTH_RATE_WINDOW: '600' });
    const app = createApp({ config, db: database.db });
    const res = await request(app).post('/api/v1/auth/mfa').send({ challenge: 'x', code: '1' });
    expect(res.status).toBe(401);
  });
});
