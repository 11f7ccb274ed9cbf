import request from 'supertest';
import { createApp } from '../../src/app';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn, testConfig } from '../support/factories';

const database = useTestDatabase();

describe('API answers and caches', () => {
  it('marks every API answer no-store and gives none an ETag', async () => {
    const config = testConfig();
    const app = createApp({ config, db: database.db });
    const technician = await createTechnician(database.db);
    const { authorization } = await signIn(database.db, config, technician.id);

    const answers = [
      await request(app).get('/api/v1/me').set('authorization', authorization),
      await request(app).get('/api/v1/me'),
      await request(app).post('/api/v1/auth/login').send({ email: 'x@msp.example', password: 'x' }),
      await request(app).get('/api/v1/hooks/receipts/00000000-0000-4000-8000-000000000000'),
    ];
    expect(answers.map((res) => res.status)).toEqual([200, 401, 401, 401]);
    for (const res of answers) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBeUndefined();
    }
  });
});
