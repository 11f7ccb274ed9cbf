import request from 'supertest';
import { createApp } from '../../src/app';
import { createTechnician, signIn, testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { captureLogs } from '../support/log-capture';
import { oathCode } from './identity-fixtures';

const database = useTestDatabase();
const config = testConfig({ AUTH_RATE_LIMIT: '1000' });

describe('identity and the operational log', () => {
  it('logs no password, code, challenge, token or TOTP secret from enrollment to sign-in', async () => {
    const app = createApp({ config, db: database.db });
    const admin = await createTechnician(database.db, { role: 'admin' });
    const { authorization } = await signIn(database.db, config, admin.id);
    const password = 'a passphrase nobody should log';
    const logs = captureLogs();
    const secrets: string[] = [];
    try {
      const created = await request(app)
        .post('/api/v1/technicians')
        .set('authorization', authorization)
        .send({ email: 'logs@msp.example', display_name: 'Logs', role: 'technician' });
      const token = created.body.enrollment_token;
      const enroll = await request(app)
        .post('/api/v1/auth/enroll')
        .send({ enrollment_token: token, password });
      const secret = new URL(enroll.body.otpauth_uri).searchParams.get('secret')!;
      const firstCode = oathCode(secret);
      const confirmed = await request(app)
        .post('/api/v1/auth/enroll/confirm')
        .send({ enrollment_token: token, code: firstCode });
      // Failures log too: a wrong password and a wrong code on the way.
      await request(app)
        .post('/api/v1/auth/login')
        .send({ email: 'logs@msp.example', password: `${password}!` });
      const login = await request(app)
        .post('/api/v1/auth/login')
        .send({ email: 'logs@msp.example', password });
      const code = oathCode(secret, 30);
      const signedIn = await request(app)
        .post('/api/v1/auth/mfa')
        .send({ challenge: login.body.challenge, code });
      expect(signedIn.status).toBe(200);
      secrets.push(token, password, secret, login.body.challenge, signedIn.body.access_token);
      secrets.push(...confirmed.body.recovery_codes);
    } finally {
      logs.stop();
    }
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const value of secrets) expect(logs.text()).not.toContain(value);
  });
});
