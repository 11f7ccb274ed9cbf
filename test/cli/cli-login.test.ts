/**
 * Signing in and keeping the token: the token file and folder modes, refresh
 * near expiry, one step-up and retry when the broker asks for fresh MFA, and
 * logout deleting the token. Against a scripted server; the flow test covers
 * the real broker.
 */
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempConfigHome } from '../support/run-cli';
import { brokerError, startFakeServer, type FakeServer, type Received } from './fake-server';
import { signedInHome } from './signed-in-home';

let server: FakeServer;
const token = (name: string) => ({
  status: 200,
  body: {
    access_token: name,
    token_type: 'Bearer',
    expires_in: 900,
    mfa_at: new Date().toISOString(),
  },
});
const bearer = (request: Received) => request.headers.authorization;

beforeAll(async () => {
  server = await startFakeServer({
    'POST /api/v1/auth/login': (r) =>
      (r.body as { password: string }).password === 'correct horse'
        ? { status: 200, body: { challenge: 'c-1', expires_in: 300 } }
        : brokerError(401, 'auth.invalid_credentials'),
    'POST /api/v1/auth/mfa': (r) =>
      (r.body as { code: string }).code === '123456'
        ? token('token-login')
        : brokerError(401, 'auth.invalid_credentials'),
    'POST /api/v1/auth/refresh': () => token('token-refreshed'),
    'POST /api/v1/auth/step-up': (r) =>
      (r.body as { code: string }).code === '654321'
        ? token('token-stepped')
        : brokerError(401, 'auth.invalid_credentials'),
    'POST /api/v1/auth/logout': () => ({ status: 204 }),
    'GET /api/v1/tenants': () => brokerError(401, 'auth.unauthenticated'),
    'GET /api/v1/me': () => ({ status: 200, body: { email: 'ana@msp.example', role: 'manager' } }),
    'POST /api/v1/requests/r-1/approve': (r) =>
      bearer(r) === 'Bearer token-stepped'
        ? {
            status: 200,
            body: { id: 'r-1', status: 'approved', grant_id: 'g-1', grant_status: 'active' },
          }
        : brokerError(403, 'auth.step_up_required'),
  });
});
afterAll(() => server.close());
beforeEach(() => server.received.splice(0));

function credentials(home: string) {
  return JSON.parse(readFileSync(join(home, 'jit', 'credentials.json'), 'utf8'));
}

describe('jit login', () => {
  it('stores the token in a 0600 file inside a 0700 folder', async () => {
    const home = tempConfigHome();
    const run = await runCli(
      [
        'login',
        '--url',
        server.url,
        '--email',
        'ana@msp.example',
        '--password-stdin',
        '--code',
        '123456',
      ],
      { env: { XDG_CONFIG_HOME: home }, input: 'correct horse\n' },
    );
    expect(run.code).toBe(0);
    const file = join(home, 'jit', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'jit')).mode & 0o777).toBe(0o700);
    expect(credentials(home)).toMatchObject({
      broker_url: server.url,
      email: 'ana@msp.example',
      access_token: 'token-login',
    });
    expect(server.received.map((r) => r.body)).toEqual([
      { email: 'ana@msp.example', password: 'correct horse' },
      { challenge: 'c-1', code: '123456' },
    ]);
  });

  it('takes the code from JIT_TOTP_CODE', async () => {
    const home = tempConfigHome();
    const run = await runCli(
      ['login', '--url', server.url, '--email', 'ana@msp.example', '--password-stdin'],
      {
        env: { XDG_CONFIG_HOME: home, JIT_TOTP_CODE: '123456' },
        input: 'correct horse',
      },
    );
    expect(run.code).toBe(0);
    expect(credentials(home).access_token).toBe('token-login');
  });

  it('exits 3 with the broker code on a wrong password and stores nothing', async () => {
    const home = tempConfigHome();
    const run = await runCli(
      [
        'login',
        '--url',
        server.url,
        '--email',
        'ana@msp.example',
        '--password-stdin',
        '--code',
        '123456',
      ],
      { env: { XDG_CONFIG_HOME: home }, input: 'wrong\n' },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error auth.invalid_credentials:');
    expect(existsSync(join(home, 'jit', 'credentials.json'))).toBe(false);
  });

  it('exits 2 without a terminal when the password is not on stdin', async () => {
    const home = tempConfigHome();
    const run = await runCli(
      ['login', '--url', server.url, '--email', 'ana@msp.example', '--code', '1'],
      {
        env: { XDG_CONFIG_HOME: home },
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error cli.password_required:');
    expect(server.received).toHaveLength(0);
  });
});

describe('the stored token', () => {
  it('is refreshed when it is about to expire, and the new one kept', async () => {
    const home = signedInHome(server.url, 60, 'token-old');
    const run = await runCli(['whoami', '--json'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(0);
    expect(server.received.map((r) => `${r.method} ${r.path} ${bearer(r)}`)).toEqual([
      'POST /api/v1/auth/refresh Bearer token-old',
      'GET /api/v1/me Bearer token-refreshed',
    ]);
    expect(credentials(home).access_token).toBe('token-refreshed');
    expect(server.received.every((r) => r.headers['user-agent'] === 'jit-cli')).toBe(true);
    expect(statSync(join(home, 'jit', 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('is not used once expired', async () => {
    const home = signedInHome(server.url, -10);
    const run = await runCli(['whoami'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error cli.login_expired:');
    expect(server.received).toHaveLength(0);
  });

  it('is stepped up with --code and the call retried once when the broker asks', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['approve', 'r-1', '--code', '654321', '--json'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'r-1', status: 'approved' });
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/requests/r-1/approve',
      'POST /api/v1/auth/step-up',
      'POST /api/v1/requests/r-1/approve',
    ]);
    expect(credentials(home).access_token).toBe('token-stepped');
  });

  it('exits 3 with the broker code on a wrong step-up code, without retrying', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['approve', 'r-1', '--code', '000000'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error auth.invalid_credentials:');
    expect(server.received.map((r) => r.path)).toEqual([
      '/api/v1/requests/r-1/approve',
      '/api/v1/auth/step-up',
    ]);
    expect(credentials(home).access_token).toBe('token-1');
  });

  it('exits 3 with auth.code_required when a step-up is asked and no code is at hand', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['approve', 'r-1'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error auth.code_required:');
  });

  it('is set back to 0600 when someone made it readable by others', async () => {
    const home = signedInHome(server.url);
    const file = join(home, 'jit', 'credentials.json');
    chmodSync(file, 0o644);
    const run = await runCli(['whoami'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('exits 3 with the broker code when the broker no longer accepts it', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['tenants'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error auth.unauthenticated:');
  });

  it('is deleted by logout', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['logout'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(0);
    expect(server.received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/auth/logout',
    ]);
    expect(existsSync(join(home, 'jit', 'credentials.json'))).toBe(false);
  });
});
