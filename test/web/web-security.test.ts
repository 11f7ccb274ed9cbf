import request from 'supertest';
import { createApp } from '../../src/app';
import { cookieOptions } from '../../src/web/web-cookies';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn, testConfig } from '../support/factories';
import { browser, csrfFrom, errorCodeOf, setCookieLine } from '../support/web-form';

const database = useTestDatabase();

function app() {
  return createApp({ config: testConfig(), db: database.db });
}

async function challengeRows() {
  const rows = await database.db('login_challenges').count({ count: '*' });
  return Number(rows[0]?.count);
}

describe('web form security', () => {
  it('GET /sign-in sends a strict CSP with no inline script or style', async () => {
    const res = await request(app()).get('/sign-in');
    expect(res.status).toBe(200);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/<script|style=/i);
  });

  it('GET /static/web.css serves the stylesheet', async () => {
    const res = await request(app()).get('/static/web.css');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/css');
  });

  it('sets the visitor cookie HttpOnly, SameSite=Strict, Path=/, not Secure in tests', async () => {
    const res = await request(app()).get('/sign-in');
    const line = setCookieLine(res.headers, 'jit_visitor');
    expect(line).toBeDefined();
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/; Secure/);
  });

  it.each([
    ['production', true],
    ['development', false],
    ['test', false],
  ] as const)('cookies in %s are Secure: %s', (env, secure) => {
    const options = cookieOptions({ env }, 60);
    expect(options).toMatchObject({ httpOnly: true, sameSite: 'strict', path: '/', secure });
  });

  it('POST /sign-in without its CSRF token is refused with 403 and writes nothing', async () => {
    const agent = browser(app());
    await agent.get('/sign-in');
    const res = await agent
      .post('/sign-in')
      .type('form')
      .send({ email: 'someone@msp.example', password: 'whatever-password' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(errorCodeOf(res.text)).toBe('web.csrf_invalid');
    expect(await challengeRows()).toBe(0);
  });

  it('POST /sign-in with a token of another visitor is refused', async () => {
    const first = browser(app());
    const token = csrfFrom((await first.get('/sign-in')).text);
    const second = browser(app());
    await second.get('/sign-in');
    const res = await second
      .post('/sign-in')
      .type('form')
      .send({ _csrf: token, email: 'someone@msp.example', password: 'whatever-password' });
    expect(res.status).toBe(403);
    expect(errorCodeOf(res.text)).toBe('web.csrf_invalid');
  });

  it('POST /sign-in with its token reaches sign-in: unknown account is invalid credentials', async () => {
    const agent = browser(app());
    const token = csrfFrom((await agent.get('/sign-in')).text);
    const res = await agent
      .post('/sign-in')
      .type('form')
      .send({ _csrf: token, email: 'nobody@msp.example', password: 'whatever-password' });
    expect(res.status).toBe(401);
    expect(errorCodeOf(res.text)).toBe('auth.invalid_credentials');
    expect(await challengeRows()).toBe(0);
  });

  it('a signed-in session token is bound to its CSRF token; sign-out needs it', async () => {
    const config = testConfig();
    const tech = await createTechnician(database.db);
    const { token, sessionId } = await signIn(database.db, config, tech.id);
    const web = createApp({ config, db: database.db });
    const cookie = `jit_session=${token}`;

    const refused = await request(web)
      .post('/sign-out')
      .set('cookie', cookie)
      .type('form')
      .send({});
    expect(refused.status).toBe(403);
    const live = await database.db('login_sessions').where({ id: sessionId }).first('ended_at');
    expect(live.ended_at).toBeNull();

    const page = await request(web).get('/access').set('cookie', cookie);
    const res = await request(web)
      .post('/sign-out')
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    const ended = await database.db('login_sessions').where({ id: sessionId }).first('ended_at');
    expect(ended.ended_at).not.toBeNull();
    expect(setCookieLine(res.headers, 'jit_session')).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('pages behind sign-in send visitors to /sign-in', async () => {
    const res = await request(app()).get('/access');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/sign-in');
  });

  it('leaves the JSON API alone: an API refusal is still JSON, never a web page', async () => {
    const res = await request(app()).post('/api/v1/no-such-thing').send({ a: 'b' });
    expect(res.headers['content-type']).toContain('application/json');
    expect(typeof res.body.error.code).toBe('string');
  });
});
