/**
 * The documented exit codes, each produced by the built CLI as a subprocess:
 * 0 done, 1 error, 2 usage, 3 refused, 4 still pending; and errors printed
 * as `error <code>: <message>` with the broker's own code.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runCli, tempConfigHome } from '../support/run-cli';
import { brokerError, startFakeServer, type FakeServer } from './fake-server';
import { signedInHome } from './signed-in-home';

let server: FakeServer;

beforeAll(async () => {
  server = await startFakeServer({
    'GET /api/v1/tenants': () => ({
      status: 200,
      body: { tenants: [{ slug: 'acme', name: 'ACME', status: 'active' }] },
    }),
    'GET /api/v1/grants': () => brokerError(403, 'grant.forbidden'),
    'GET /api/v1/me': () => brokerError(500, 'internal'),
    'POST /api/v1/requests': () => ({
      status: 201,
      body: { id: 'r-1', status: 'pending', tenant: 'acme', profile: 'admin', grant_id: null },
    }),
  });
});
afterAll(() => server.close());

// A port nothing listens on: bound once by us, then released.
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('jit exit codes', () => {
  it('exits 0 and lists tenants as JSON with --json', async () => {
    const home = signedInHome(server.url);
    const run = await runCli(['tenants', '--json'], { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([{ slug: 'acme', name: 'ACME', status: 'active' }]);
  });

  it.each([
    ['a missing required option', ['request', 'acme', 'admin', '--reason', 'x']],
    ['an unknown command', ['frobnicate']],
    ['an unknown option', ['grants', '--colour']],
    ['a missing argument', ['profiles']],
    ['a format that does not exist', ['checkout', 'g-1', '--format', 'yaml']],
  ])('exits 2 on %s', async (_case, args) => {
    const run = await runCli(args, { env: { XDG_CONFIG_HOME: tempConfigHome() } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error/);
  });

  it('exits 2 with cli.bad_url on a broker address that is not a URL', async () => {
    const run = await runCli(
      [
        'login',
        '--url',
        'not a url',
        '--email',
        'a@msp.example',
        '--password-stdin',
        '--code',
        '1',
      ],
      { env: { XDG_CONFIG_HOME: tempConfigHome() }, input: 'pw\n' },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error cli.bad_url:');
  });

  it('exits 1 with cli.unreachable when nothing answers at the address', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(
      ['login', '--url', url, '--email', 'a@msp.example', '--password-stdin', '--code', '1'],
      { env: { XDG_CONFIG_HOME: tempConfigHome() }, input: 'pw\n' },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error cli.unreachable:');
  });

  it('exits 3 and prints the broker code when the broker refuses', async () => {
    const run = await runCli(['grants'], { env: { XDG_CONFIG_HOME: signedInHome(server.url) } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error grant.forbidden:');
  });

  it('exits 1 and prints the broker code on a server error', async () => {
    const run = await runCli(['whoami'], { env: { XDG_CONFIG_HOME: signedInHome(server.url) } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error internal:');
  });

  it('exits 3 with cli.not_signed_in before any login', async () => {
    const run = await runCli(['grants'], { env: { XDG_CONFIG_HOME: tempConfigHome() } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error cli.not_signed_in:');
  });

  it('exits 4 when a request needs approval and --wait was not given', async () => {
    const home = signedInHome(server.url);
    const args = ['request', 'acme', 'admin', '--for', '1h', '--reason', 'patch', '--json'];
    const run = await runCli(args, { env: { XDG_CONFIG_HOME: home } });
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ id: 'r-1', status: 'pending' });
    const sent = server.received.find((r) => r.method === 'POST' && r.path === '/api/v1/requests');
    expect(sent?.body).toEqual({
      tenant: 'acme',
      profile: 'admin',
      duration: '1h',
      justification: 'patch',
    });
    expect(sent?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exits 1 with a clear message when the CLI was not built', () => {
    const checkout = tempConfigHome();
    mkdirSync(join(checkout, 'bin'));
    copyFileSync(join(__dirname, '..', '..', 'bin', 'jit.js'), join(checkout, 'bin', 'jit.js'));
    const run = spawnSync(process.execPath, [join(checkout, 'bin', 'jit.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('error cli.not_built:');
  });

  it.each([[['--help']], [['request', '--help']], [['admin', 'technicians', 'add', '--help']]])(
    'exits 0 on %j and shows examples and exit codes',
    async (args) => {
      const run = await runCli(args, { env: { XDG_CONFIG_HOME: tempConfigHome() } });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Examples:');
      expect(run.stdout).toMatch(/Exit codes/);
    },
  );
});
