import request from 'supertest';
import { createApp } from '../../src/app';
import { testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { auditActions, enrolledTechnician, oathCode, PASSWORD } from './identity-fixtures';

const database = useTestDatabase();
const config = testConfig({ AUTH_RATE_LIMIT: '1000' });
const app = () => createApp({ config, db: database.db });

async function login(email: string, password = PASSWORD) {
  return request(app()).post('/api/v1/auth/login').send({ email, password });
}

async function challengeFor(email: string): Promise<string> {
  const res = await login(email);
  expect(res.status).toBe(200);
  return res.body.challenge;
}

async function mfa(challenge: string, code: string) {
  return request(app()).post('/api/v1/auth/mfa').send({ challenge, code });
}

describe('POST /auth/login and /auth/mfa', () => {
  it('signs in with the password and a code computed by oathtool', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const challenge = await challengeFor(tech.email);

    const res = await mfa(challenge, oathCode(tech.secret));

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const me = await request(app())
      .get('/api/v1/me')
      .set('authorization', `Bearer ${res.body.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: tech.id, role: 'technician' });
    expect(await auditActions(database.db, tech.id)).toEqual(['auth.login_succeeded']);
  });

  it('matches the email without regard to case', async () => {
    const tech = await enrolledTechnician(database.db, config);
    expect((await login(tech.email.toUpperCase())).status).toBe(200);
  });

  it('refuses a code the second time it is used', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const code = oathCode(tech.secret);
    expect((await mfa(await challengeFor(tech.email), code)).status).toBe(200);

    const replay = await mfa(await challengeFor(tech.email), code);

    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('auth.invalid_credentials');
  });

  it('gives exactly one token for 20 parallel submissions of one valid code', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const challenges: string[] = [];
    for (let i = 0; i < 20; i += 1) challenges.push(await challengeFor(tech.email));
    const code = oathCode(tech.secret);

    const results = await Promise.all(challenges.map((challenge) => mfa(challenge, code)));

    expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    expect(results.filter((res) => res.status === 401)).toHaveLength(19);
    const sessions = await database.db('login_sessions').where({ technician_id: tech.id });
    expect(sessions).toHaveLength(1);
  });

  it('spends a challenge on its first use, right or wrong', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const challenge = await challengeFor(tech.email);
    expect((await mfa(challenge, '000000')).status).toBe(401);

    const again = await mfa(challenge, oathCode(tech.secret));

    expect(again.status).toBe(401);
  });

  it('answers a wrong password, a wrong code and an unknown account alike', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const wrongPassword = await login(tech.email, 'not the password at all');
    const unknown = await login('nobody@msp.example', PASSWORD);
    const wrongCode = await mfa(await challengeFor(tech.email), oathCode(tech.secret, 300));
    const pendingTech = await enrolledTechnician(database.db, config);
    await database.db('technicians').where({ id: pendingTech.id }).update({ status: 'pending' });
    const pending = await login(pendingTech.email);

    for (const res of [wrongPassword, unknown, wrongCode, pending]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth.invalid_credentials');
      expect(res.body.error.message).toBe(wrongPassword.body.error.message);
    }
  });

  it('audits a failure on an unknown account as anonymous, without what was typed', async () => {
    const before = await database
      .db('audit_events')
      .max({ seq: 'seq' })
      .where({ tenant: 'msp' })
      .first();
    await login('ghost@msp.example', 'typed by mistake into the form');

    const events = await database
      .db('audit_events')
      .where({ tenant: 'msp' })
      .andWhere('seq', '>', before?.seq ?? 0);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'auth.login_failed', actor_kind: 'anonymous' });
    expect(JSON.stringify(events[0])).not.toMatch(/ghost|typed by mistake/);
  });

  it('locks the account after the limit, refuses even right answers, and lets go after', async () => {
    const tech = await enrolledTechnician(database.db, config);
    for (let i = 0; i < config.loginMaxFailures; i += 1) {
      expect((await login(tech.email, 'wrong password, try again')).status).toBe(401);
    }
    const row = await database.db('technicians').where({ id: tech.id }).first();
    expect(row.failed_logins).toBe(config.loginMaxFailures);
    expect(row.locked_until.getTime()).toBeGreaterThan(Date.now());

    const whileLocked = await login(tech.email);
    expect(whileLocked.status).toBe(401);
    expect(whileLocked.body.error.code).toBe('auth.invalid_credentials');

    // Time passes: the lock lifts.
    await database
      .db('technicians')
      .where({ id: tech.id })
      .update({ locked_until: new Date(0) });
    const after = await mfa(await challengeFor(tech.email), oathCode(tech.secret));
    expect(after.status).toBe(200);
    const reset = await database.db('technicians').where({ id: tech.id }).first();
    expect(reset.failed_logins).toBe(0);
    const actions = await auditActions(database.db, tech.id);
    expect(actions.filter((a) => a === 'auth.login_failed')).toHaveLength(6);
    expect(actions).toContain('auth.locked_out');
  });

  it('refuses the code step when the account locked after the password step', async () => {
    const tech = await enrolledTechnician(database.db, config);
    const challenge = await challengeFor(tech.email);
    await database
      .db('technicians')
      .where({ id: tech.id })
      .update({ locked_until: new Date(Date.now() + 60_000) });

    expect((await mfa(challenge, oathCode(tech.secret))).status).toBe(401);
  });

  it('counts wrong codes towards the lockout, doubling the lock each time', async () => {
    const tech = await enrolledTechnician(database.db, config);
    for (let i = 0; i < config.loginMaxFailures + 1; i += 1) {
      await database.db('technicians').where({ id: tech.id }).update({ locked_until: null });
      expect((await mfa(await challengeFor(tech.email), '999999x')).status).toBe(401);
    }
    const row = await database.db('technicians').where({ id: tech.id }).first();
    const lockSeconds = (row.locked_until.getTime() - Date.now()) / 1000;
    expect(row.failed_logins).toBe(config.loginMaxFailures + 1);
    expect(lockSeconds).toBeGreaterThan(config.lockoutBase);
    expect(lockSeconds).toBeLessThanOrEqual(config.lockoutBase * 2);
  });

  it.each([
    ['no body', undefined],
    ['a missing password', { email: 'a@msp.example' }],
    ['an unknown field', { email: 'a@msp.example', password: 'x', admin: true }],
    ['a number as email', { email: 42, password: 'x' }],
  ])('answers 400 to %s and writes nothing', async (_name, body) => {
    const before = await database.db('audit_events').count({ n: '*' }).first();
    const res = await request(app()).post('/api/v1/auth/login').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('auth.invalid_input');
    const after = await database.db('audit_events').count({ n: '*' }).first();
    expect(after).toEqual(before);
  });
});
