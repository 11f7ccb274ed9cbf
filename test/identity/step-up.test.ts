import request from 'supertest';
import { createApp } from '../../src/app';
import { assertFreshMfa, principalFor } from '../../src/identity/authenticate';
import { AccessTokens } from '../../src/identity/access-tokens';
import { signIn, testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { auditActions, enrolledTechnician, oathCode } from './identity-fixtures';

const database = useTestDatabase();
const config = testConfig({ AUTH_RATE_LIMIT: '1000' });
const app = () => createApp({ config, db: database.db });
const principal = (token: string) => principalFor(database.db, new AccessTokens(config), token);

describe('POST /auth/step-up', () => {
  it('turns an old MFA into a fresh one with a new code', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const old = await signIn(database.db, config, tech.id, { mfaAgoSeconds: 600 });
    const stale = (await principal(old.token))!;
    expect(() => assertFreshMfa(stale, config.stepUpMaxAge)).toThrow(
      expect.objectContaining({ code: 'auth.step_up_required', status: 403 }),
    );

    const res = await request(app())
      .post('/api/v1/auth/step-up')
      .set('authorization', old.authorization)
      .send({ code: oathCode(tech.secret) });

    expect(res.status).toBe(200);
    const fresh = (await principal(res.body.access_token))!;
    expect(fresh.sessionId).toBe(old.sessionId);
    expect(() => assertFreshMfa(fresh, config.stepUpMaxAge)).not.toThrow();
    expect(await auditActions(database.db, tech.id)).toEqual(['auth.step_up']);
  });

  it('lets an elevated action through only after stepping up', async () => {
    const admin = await enrolledTechnician(database.db, config, { role: 'admin' });
    const old = await signIn(database.db, config, admin.id, { mfaAgoSeconds: 600 });
    const revokeAll = (authorization: string) =>
      request(app())
        .post('/api/v1/emergency/revoke-all')
        .set('authorization', authorization)
        .send({ reason: 'step-up test' });

    const refused = await revokeAll(old.authorization);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('auth.step_up_required');

    const stepped = await request(app())
      .post('/api/v1/auth/step-up')
      .set('authorization', old.authorization)
      .send({ code: oathCode(admin.secret) });
    const allowed = await revokeAll(`Bearer ${stepped.body.access_token}`);
    expect(allowed.status).toBe(202);
  });

  it('refuses a wrong or replayed code and counts it as a failure', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const session = await signIn(database.db, config, tech.id, { mfaAgoSeconds: 600 });
    const code = oathCode(tech.secret);
    const stepUp = (c: string) =>
      request(app())
        .post('/api/v1/auth/step-up')
        .set('authorization', session.authorization)
        .send({ code: c });

    expect((await stepUp(code)).status).toBe(200);
    const replay = await stepUp(code);
    const wrong = await stepUp(oathCode(tech.secret, 600));

    for (const res of [replay, wrong]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_credentials');
    }
    const row = await database.db('technicians').where({ id: tech.id }).first();
    expect(row.failed_logins).toBe(2);
  });

  it('answers 400 without a code', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const session = await signIn(database.db, config, tech.id);
    const res = await request(app())
      .post('/api/v1/auth/step-up')
      .set('authorization', session.authorization)
      .send({});
    expect(res.body.error.code).toBe('auth.invalid_input');
  });
});

describe('POST /auth/refresh and /auth/logout', () => {
  it('refreshes the token for the same session and keeps the MFA time', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const session = await signIn(database.db, config, tech.id, { mfaAgoSeconds: 120 });
    const before = (await principal(session.token))!;

    const res = await request(app())
      .post('/api/v1/auth/refresh')
      .set('authorization', session.authorization);

    expect(res.status).toBe(200);
    const after = (await principal(res.body.access_token))!;
    expect(after.sessionId).toBe(session.sessionId);
    expect(after.mfaAt).toEqual(before.mfaAt);
  });

  it('signs out: the token and its refreshed copies stop working, audited', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const session = await signIn(database.db, config, tech.id);
    const refreshed = await request(app())
      .post('/api/v1/auth/refresh')
      .set('authorization', session.authorization);

    const res = await request(app())
      .post('/api/v1/auth/logout')
      .set('authorization', session.authorization);

    expect(res.status).toBe(204);
    const me = await request(app())
      .get('/api/v1/me')
      .set('authorization', `Bearer ${refreshed.body.access_token}`);
    expect(me.status).toBe(401);
    expect(await auditActions(database.db, tech.id)).toEqual(['auth.logged_out']);
  });
});
