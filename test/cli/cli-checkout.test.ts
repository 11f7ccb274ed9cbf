/**
 * `jit checkout` and `jit end` against a scripted broker and Vault: the
 * wrapping token is unwrapped at Vault with its headers, the credential is
 * printed or written 0600, SSH certificates land beside the key with
 * OpenSSH's name, and the session opened is the one `jit end` closes.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempConfigHome } from '../support/run-cli';
import { startFakeServer, type FakeServer } from './fake-server';
import { signedInHome } from './signed-in-home';

const TOKEN_GRANT = '11111111-1111-4111-8111-111111111111';
const SSH_GRANT = '22222222-2222-4222-8222-222222222222';
let server: FakeServer;
let unwrapped: Set<string>;

function grant(id: string, kind: string) {
  return {
    status: 200,
    body: { id, tenant: 'acme', profile: kind, credential_kind: kind, status: 'active' },
  };
}

function checkout(wrap: string) {
  return () => ({
    status: 201,
    body: {
      session_id: `s-${wrap}`,
      wrap_token: wrap,
      wrap_ttl: 300,
      vault_addr: server.url,
      expires_at: '2030-01-01T00:00:00.000Z',
      namespace: 'acme',
    },
  });
}

beforeAll(async () => {
  unwrapped = new Set();
  const secrets: Record<string, Record<string, unknown>> = {
    'wrap-token': { token: "hvs.it's-secret", accessor: 'acc-1', ttl: 3600 },
    'wrap-ssh': { signed_key: 'ssh-ed25519-cert-v01@openssh.com AAAAcert', serial_number: '7' },
  };
  server = await startFakeServer({
    [`GET /api/v1/grants/${TOKEN_GRANT}`]: () => grant(TOKEN_GRANT, 'vault-token'),
    [`GET /api/v1/grants/${SSH_GRANT}`]: () => grant(SSH_GRANT, 'ssh'),
    [`POST /api/v1/grants/${TOKEN_GRANT}/checkout`]: checkout('wrap-token'),
    [`POST /api/v1/grants/${SSH_GRANT}/checkout`]: checkout('wrap-ssh'),
    'POST /api/v1/sessions/s-wrap-token/heartbeat': () => ({
      status: 200,
      body: { id: 's-wrap-token', status: 'open' },
    }),
    'POST /api/v1/sessions/s-wrap-token/close': () => ({
      status: 200,
      body: { id: 's-wrap-token', status: 'closed' },
    }),
    // Vault's unwrap: single use, like the real one.
    'POST /v1/sys/wrapping/unwrap': (r) => {
      const wrap = String(r.headers['x-vault-token']);
      if (unwrapped.has(wrap) || !secrets[wrap]) {
        return { status: 400, body: { errors: ['wrapping token is not valid or does not exist'] } };
      }
      unwrapped.add(wrap);
      return { status: 200, body: { data: secrets[wrap] } };
    },
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.splice(0);
  unwrapped.clear();
});

describe('jit checkout', () => {
  it('unwraps at Vault in the namespace and prints shell variables with --format env', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['checkout', TOKEN_GRANT, '--format', 'env'], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`export VAULT_TOKEN='hvs.it'\\''s-secret'\n`);
    expect(run.stdout).toContain(`export VAULT_ADDR='${server.url}'\n`);
    const unwrap = server.received.find((r) => r.path === '/v1/sys/wrapping/unwrap')!;
    expect(unwrap.headers['x-vault-token']).toBe('wrap-token');
    expect(unwrap.headers['x-vault-namespace']).toBe('acme');
  });

  it('writes the credential with --out in mode 0600, even over a wider file', async () => {
    const home = signedInHome(server.url);
    const out = join(tempConfigHome(), 'creds.json');
    writeFileSync(out, 'old', { mode: 0o644 });
    const args = ['checkout', TOKEN_GRANT, '--format', 'json', '--out', out];
    const run = await runCli(args, { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      grant_id: TOKEN_GRANT,
      session_id: 's-wrap-token',
      credential_kind: 'vault-token',
      credential: { token: "hvs.it's-secret" },
    });
  });

  it('sends the SSH public key and writes <key>-cert.pub', async () => {
    const home = signedInHome(server.url);
    const folder = tempConfigHome();
    const key = join(folder, 'id_ed25519.pub');
    writeFileSync(key, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey ana@laptop\n');
    const run = await runCli(['checkout', SSH_GRANT, '--public-key', key], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(run.code).toBe(0);
    const sent = server.received.find((r) => r.path.endsWith('/checkout'))!;
    expect(sent.body).toEqual({
      public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey ana@laptop',
    });
    const cert = readFileSync(join(folder, 'id_ed25519-cert.pub'), 'utf8');
    expect(cert).toBe('ssh-ed25519-cert-v01@openssh.com AAAAcert\n');
  });

  it('exits 2 on an SSH grant without --public-key, before any checkout', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['checkout', SSH_GRANT], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error cli.public_key_required:');
    expect(server.received.some((r) => r.path.endsWith('/checkout'))).toBe(false);
  });

  it('exits 3 with vault.unwrap_failed when the wrapping token was used already', async () => {
    const home = signedInHome(server.url);
    unwrapped.add('wrap-token');
    const run = await runCli(['checkout', TOKEN_GRANT], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error vault.unwrap_failed:');
  });
});

describe('jit end', () => {
  it('sends heartbeats for and closes the session that checkout opened, then forgets it', async () => {
    const home = signedInHome(server.url);
    await runCli(['checkout', TOKEN_GRANT], { env: { XDG_CONFIG_HOME: home } });
    const sessions = join(home, 'jit', 'sessions.json');
    expect(statSync(sessions).mode & 0o777).toBe(0o600);

    const beat = await runCli(['heartbeat', TOKEN_GRANT.toUpperCase()], {
      env: { XDG_CONFIG_HOME: home },
    });
    expect(beat.code).toBe(0);
    expect(server.received.at(-1)?.path).toBe('/api/v1/sessions/s-wrap-token/heartbeat');

    const first = await runCli(['end', TOKEN_GRANT], { env: { XDG_CONFIG_HOME: home } });
    expect(first.code).toBe(0);
    expect(server.received.at(-1)?.path).toBe('/api/v1/sessions/s-wrap-token/close');

    const second = await runCli(['end', TOKEN_GRANT], { env: { XDG_CONFIG_HOME: home } });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('error cli.session_unknown:');
  });
});

describe('jit request --wait', () => {
  let polls = 0;
  let waitServer: FakeServer;
  beforeAll(async () => {
    waitServer = await startFakeServer({
      'POST /api/v1/requests': (r) => ({
        status: 201,
        body: { id: (r.body as { profile: string }).profile, status: 'pending', tenant: 'acme' },
      }),
      // Approved on the second poll; the grant is then already active.
      'GET /api/v1/requests/admin': () =>
        ++polls < 2
          ? { status: 200, body: { id: 'admin', status: 'pending' } }
          : {
              status: 200,
              body: { id: 'admin', status: 'approved', grant_id: 'g-9', grant_status: 'active' },
            },
      'GET /api/v1/requests/db-admin': () => ({
        status: 200,
        body: { id: 'db-admin', status: 'denied', decision_note: 'no ticket' },
      }),
      'GET /api/v1/requests/ssh': () => ({ status: 200, body: { id: 'ssh', status: 'pending' } }),
      'POST /api/v1/requests/ssh/cancel': () => ({
        status: 200,
        body: { id: 'ssh', status: 'cancelled', tenant: 'acme', profile: 'ssh' },
      }),
    });
  });
  afterAll(() => waitServer.close());

  const ask = (profile: string, timeout = '1m') =>
    runCli(
      [
        'request',
        'acme',
        profile,
        '--for',
        '1h',
        '--reason',
        'r',
        '--wait',
        '--timeout',
        timeout,
        '--json',
      ],
      {
        env: { XDG_CONFIG_HOME: signedInHome(waitServer.url) },
      },
    );

  it('exits 0 with the grant once a manager approves', async () => {
    const run = await ask('admin');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'approved', grant_id: 'g-9' });
  });

  it('exits 3 with request.denied when a manager denies', async () => {
    const run = await ask('db-admin');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error request.denied:');
  });

  it('exits 4 when nobody decides before the wait ends', async () => {
    const run = await ask('ssh', '1s');
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'pending' });
  });

  it('cancels a request that still waits', async () => {
    const home = signedInHome(waitServer.url);
    const run = await runCli(['cancel', 'ssh', '--json'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'ssh', status: 'cancelled' });
  });

  it('exits 2 on a wait limit that is not a duration', async () => {
    const run = await ask('ssh', 'soon');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error cli.bad_duration:');
  });
});
