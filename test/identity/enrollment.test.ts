import request from 'supertest';
import { createApp } from '../../src/app';
import { createTechnician, signIn, testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { auditActions, oathCode } from './identity-fixtures';

const database = useTestDatabase();
const config = testConfig({ AUTH_RATE_LIMIT: '1000' });
const app = () => createApp({ config, db: database.db });
const PASSWORD = 'a long and unusual passphrase';

// A pending technician created by an admin through the API, with its token.
async function invited(role = 'technician') {
  const admin = await createTechnician(database.db, { role: 'admin' });
  const { authorization } = await signIn(database.db, config, admin.id);
  const email = `new-${Math.random().toString(36).slice(2, 10)}@msp.example`;
  const res = await request(app())
    .post('/api/v1/technicians')
    .set('authorization', authorization)
    .send({ email, display_name: 'New Person', role });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, email, token: res.body.enrollment_token as string };
}

const enroll = (enrollment_token: string, password = PASSWORD) =>
  request(app()).post('/api/v1/auth/enroll').send({ enrollment_token, password });
const confirm = (enrollment_token: string, code: string) =>
  request(app()).post('/api/v1/auth/enroll/confirm').send({ enrollment_token, code });
const secretOf = (uri: string) => new URL(uri).searchParams.get('secret')!;

async function fullSignIn(email: string, code: string) {
  const login = await request(app()).post('/api/v1/auth/login').send({ email, password: PASSWORD });
  return request(app()).post('/api/v1/auth/mfa').send({ challenge: login.body.challenge, code });
}

describe('enrollment', () => {
  it('sets a password, shows the TOTP secret, confirms it and hands out recovery codes', async () => {
    const person = await invited();
    const started = await enroll(person.token);
    expect(started.status).toBe(200);
    expect(started.body.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    expect(started.body.qr_code).toMatch(/^data:image\/png;base64,/);
    const secret = secretOf(started.body.otpauth_uri);

    // Not signed up yet: the password alone gets nowhere.
    const early = await request(app())
      .post('/api/v1/auth/login')
      .send({ email: person.email, password: PASSWORD });
    expect(early.status).toBe(401);

    const confirmed = await confirm(person.token, oathCode(secret));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recovery_codes).toHaveLength(10);

    const row = await database.db('technicians').where({ id: person.id }).first();
    expect(row.status).toBe('active');
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.totp_secret_enc).not.toContain(secret);
    expect(row.totp_key_id).toBe('dev');
    const stored = await database.db('recovery_codes').where({ technician_id: person.id });
    const codes: string[] = confirmed.body.recovery_codes;
    expect(stored).toHaveLength(10);
    for (const code of codes) {
      expect(stored.map((r) => r.code_hash)).not.toContain(code);
      expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, ''));
    }
    expect(await auditActions(database.db, person.id)).toEqual([
      'technician.created',
      'technician.enrollment_issued',
      'auth.enrollment_started',
      'auth.login_failed',
      'auth.enrolled',
    ]);

    // The account now signs in, with a recovery code once.
    expect((await fullSignIn(person.email, oathCode(secret, 30))).status).toBe(200);
    expect((await fullSignIn(person.email, codes[0]!.toLowerCase())).status).toBe(200);
    expect((await fullSignIn(person.email, codes[0]!)).status).toBe(401);
  });

  it('refuses the token once enrollment is confirmed', async () => {
    const person = await invited();
    const secret = secretOf((await enroll(person.token)).body.otpauth_uri);
    expect((await confirm(person.token, oathCode(secret))).status).toBe(200);

    const again = await enroll(person.token);

    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('auth.invalid_enrollment_token');
  });

  it('refuses an expired token', async () => {
    const person = await invited();
    await database
      .db('enrollment_tokens')
      .where({ technician_id: person.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    expect((await enroll(person.token)).body.error.code).toBe('auth.invalid_enrollment_token');
  });

  it('refuses a wrong first code and keeps the account pending', async () => {
    const person = await invited();
    await enroll(person.token);
    const res = await confirm(person.token, '000000');
    expect(res.status).toBe(401);
    const row = await database.db('technicians').where({ id: person.id }).first();
    expect(row.status).toBe('pending');
  });

  it.each([
    ['auth.password_too_short', 'short pass'],
    ['auth.password_too_common', '123qweasdzxc'],
    ['auth.password_too_common', 'QWERTY123456'],
  ])('answers %s and changes nothing for %p', async (code, password) => {
    const person = await invited();
    const before = await database.db('technicians').where({ id: person.id }).first();
    const events = await database.db('audit_events').count({ n: '*' }).first();

    const res = await enroll(person.token, password);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(await database.db('technicians').where({ id: person.id }).first()).toEqual(before);
    expect(await database.db('audit_events').count({ n: '*' }).first()).toEqual(events);
  });

  it('refuses a password equal to the email', async () => {
    const person = await invited();
    const res = await enroll(person.token, person.email);
    expect(res.body.error.code).toBe('auth.password_too_common');
  });
});
