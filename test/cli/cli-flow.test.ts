/**
 * The whole technician and manager flows through the built `jit` command, as
 * subprocesses, against a real broker (real PostgreSQL, the Vault stand-in)
 * started in this test. People enroll through the enrollment API and every
 * TOTP code comes from `oathtool`; the first admin comes from
 * `scripts/admin.ts bootstrap`, as on a real server.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '../../src/server';
import { useTestDatabase } from '../support/database';
import { testConfig } from '../support/factories';
import { runCli, tempConfigHome, type CliRun } from '../support/run-cli';
import { currentStep, reachStep, secretOf, totp } from './totp-clock';

jest.setTimeout(180_000);

/** Someone who uses the CLI, with their own config folder. */
interface Person {
  email: string;
  password: string;
  secret: string;
  recovery: string[];
  home: string;
}

const ADMIN_SCRIPT = join(__dirname, '..', '..', 'dist', 'scripts', 'admin.js');
const database = useTestDatabase();
const tenant = `acme-${randomUUID().slice(0, 6)}`;
const STEP_UP_MAX_AGE = 5;
let broker: RunningBroker;
let admin: Person;
let tech: Person;
let manager: Person;
let enrolledAtStep = 0;
let signedInAt = 0;

async function api<T>(path: string, body: unknown, authorization?: string): Promise<T> {
  const answer = await fetch(`${broker.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await answer.json()) as T;
  if (!answer.ok) throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(json)}`);
  return json;
}

// Enrolls with a password and a code from oathtool, the way a new technician
// does it from their invitation.
async function enroll(email: string, enrollment_token: string): Promise<Person> {
  const password = `Quiet-lantern-${randomUUID()}`;
  const { otpauth_uri } = await api<{ otpauth_uri: string }>('/auth/enroll', {
    enrollment_token,
    password,
  });
  const secret = secretOf(otpauth_uri);
  const { recovery_codes } = await api<{ recovery_codes: string[] }>('/auth/enroll/confirm', {
    enrollment_token,
    code: totp(secret),
  });
  enrolledAtStep = Math.max(enrolledAtStep, currentStep());
  return { email, password, secret, recovery: recovery_codes, home: tempConfigHome() };
}

// The first admin comes from the documented server-side command.
function bootstrapAdmin(email: string): string {
  const output = execFileSync(
    process.execPath,
    [ADMIN_SCRIPT, 'bootstrap', '--email', email, '--json'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        DATABASE_URL: database.url,
      },
      encoding: 'utf8',
    },
  );
  const line = output.split('\n').find((text) => text.startsWith('{'));
  return (JSON.parse(line ?? '{}') as { enrollment_token: string }).enrollment_token;
}

// An admin invites someone with the CLI; they enroll.
async function invite(role: string): Promise<Person> {
  const email = `${role}-${randomUUID().slice(0, 8)}@msp.example`;
  const args = ['admin', 'technicians', 'add', email, '--name', role, '--role', role, '--json'];
  const added = expectExit(await jit(admin, args), 0);
  return enroll(email, (JSON.parse(added.stdout) as { enrollment_token: string }).enrollment_token);
}

function login(person: Person, code: string): Promise<CliRun> {
  const args = ['login', '--url', broker.url, '--email', person.email, '--password-stdin'];
  return jit(person, [...args, '--code', code], `${person.password}\n`);
}

function jit(person: Person, args: string[], input?: string): Promise<CliRun> {
  return runCli(args, { env: { XDG_CONFIG_HOME: person.home }, input });
}

function credentials(person: Person) {
  return JSON.parse(readFileSync(join(person.home, 'jit', 'credentials.json'), 'utf8'));
}

// Waits for the technician's request to reach the broker, then checks that
// the manager's `jit approvals` lists it.
async function pendingFor(person: Person, profile: string, asking: Promise<CliRun>) {
  let ended: CliRun | undefined;
  void asking.then((run) => (ended = run));
  let row: { id: string } | undefined;
  for (let attempt = 0; attempt < 100 && !row; attempt += 1) {
    if (ended) throw new Error(`the request ended first: ${JSON.stringify(ended)}`);
    row = await database
      .db('access_requests')
      .where({ tenant, profile, status: 'pending' })
      .first();
    if (!row) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!row) throw new Error(`no pending ${profile} request appeared`);
  const run = expectExit(await jit(person, ['approvals', '--json']), 0);
  expect(JSON.parse(run.stdout)).toContainEqual(expect.objectContaining({ id: row.id, profile }));
  return row.id;
}

// Checks the exit code, showing what the CLI printed when it differs.
function expectExit(run: CliRun, code: number): CliRun {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code, stderr: expect.any(String) });
  return run;
}

beforeAll(async () => {
  const config = testConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    STEP_UP_MAX_AGE: String(STEP_UP_MAX_AGE),
  });
  broker = await startBroker(config);
  const email = `admin-${randomUUID().slice(0, 8)}@msp.example`;
  admin = await enroll(email, bootstrapAdmin(email));
});

afterAll(async () => {
  await broker?.stop();
});

describe('jit against a running broker', () => {
  it('signs the first admin in with a recovery code; the admin invites two people', async () => {
    // A recovery code, so as not to wait for the next TOTP step after enrollment.
    expectExit(await login(admin, admin.recovery[0]!), 0);
    tech = await invite('technician');
    manager = await invite('manager');
  });

  it('signs the technician and the manager in with a password on stdin and an oathtool code', async () => {
    // The enrollment spent this step's code; sign-in needs the next one.
    await reachStep(enrolledAtStep + 1);
    for (const person of [tech, manager]) {
      expectExit(await login(person, totp(person.secret)), 0);
      const file = join(person.home, 'jit', 'credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(person.home, 'jit')).mode & 0o777).toBe(0o700);
    }
    signedInAt = Date.now();
    const whoami = await jit(manager, ['whoami', '--json']);
    expectExit(whoami, 0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ email: manager.email, role: 'manager' });
  });

  it('lets the admin add the tenant and assign the technician and the manager', async () => {
    const added = await jit(admin, ['admin', 'tenants', 'add', tenant, '--name', 'ACME', '--json']);
    expectExit(added, 0);
    expect(JSON.parse(added.stdout)).toMatchObject({ slug: tenant });
    expectExit(await jit(admin, ['admin', 'assignments', 'add', tenant, tech.email]), 0);
    const asManager = ['admin', 'assignments', 'add', tenant, manager.email, '--as', 'manager'];
    expectExit(await jit(admin, asManager), 0);

    const rows = await database.db('assignments').where({ tenant }).select('relation');
    expect(rows.map((r) => r.relation).sort()).toEqual(['manager', 'technician']);
  });

  it('lets the admin add, re-invite and disable a technician by e-mail', async () => {
    const email = `auditor-${randomUUID().slice(0, 8)}@msp.example`;
    const add = ['admin', 'technicians', 'add', email, '--name', 'Audit', '--role', 'auditor'];
    const added = await jit(admin, [...add, '--auditor-tenant', tenant, '--json']);
    expectExit(added, 0);
    expect(JSON.parse(added.stdout).enrollment_token).toEqual(expect.any(String));

    const again = await jit(admin, ['admin', 'technicians', 'enrollment', email, '--json']);
    expectExit(again, 0);
    expect(JSON.parse(again.stdout).enrollment_token).toEqual(expect.any(String));

    expectExit(await jit(admin, ['admin', 'technicians', 'disable', email]), 0);
    const list = await jit(admin, ['admin', 'technicians', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toContainEqual(
      expect.objectContaining({ email, status: 'disabled' }),
    );
  });

  it('shows the technician the tenant and its profiles', async () => {
    const tenants = await jit(tech, ['tenants', '--json']);
    expectExit(tenants, 0);
    expect(JSON.parse(tenants.stdout)).toContainEqual(expect.objectContaining({ slug: tenant }));
    const profiles = await jit(tech, ['profiles', tenant, '--json']);
    expectExit(profiles, 0);
    const names = (JSON.parse(profiles.stdout) as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['read-only', 'admin']));
  });

  it('grants read-only at once; checkout writes it 0600, end closes the session', async () => {
    const args = ['request', tenant, 'read-only', '--for', '30m', '--reason', 'disk alert'];
    const requested = await jit(tech, [...args, '--wait', '--json']);
    expectExit(requested, 0);
    const { grant_id: grant } = JSON.parse(requested.stdout);
    expect(grant).toEqual(expect.any(String));

    const out = join(tech.home, 'credential.json');
    const checkout = await jit(tech, ['checkout', grant, '--format', 'json', '--out', out]);
    expectExit(checkout, 0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const delivered = JSON.parse(readFileSync(out, 'utf8'));
    expect(delivered).toMatchObject({ grant_id: grant, credential_kind: 'vault-token' });
    // The delivered token is a live Vault token with the tenant's read-only policy.
    const lookup = await fetch(`${delivered.vault_addr}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': delivered.credential.token },
    });
    expect(lookup.status).toBe(200);
    const { data } = (await lookup.json()) as { data: { policies: string[] } };
    expect(data.policies).toContain(`${tenant}-read-only`);
    const session = await database
      .db('access_sessions')
      .where({ id: delivered.session_id })
      .first();
    expect(session).toMatchObject({ grant_id: grant, closed_at: null });

    const ended = await jit(tech, ['end', grant]);
    expectExit(ended, 0);
    const closed = await database.db('access_sessions').where({ id: delivered.session_id }).first();
    expect(closed.closed_at).not.toBeNull();
  });

  it('refuses a request over the profile maximum with exit 3, writing nothing', async () => {
    const before = await database.db('access_requests').count({ n: '*' }).first();
    const args = [
      'request',
      tenant,
      'read-only',
      '--for',
      '10h',
      '--reason',
      'needs a longer window',
    ];
    const run = await jit(tech, args);
    expectExit(run, 3);
    expect(run.stderr).toContain('error request.duration_exceeds_profile:');
    const after = await database.db('access_requests').count({ n: '*' }).first();
    expect(after).toEqual(before);
  });

  it('waits for the manager, who approves after a step-up with a fresh code', async () => {
    // Both sign-ins are now older than the step-up limit and their codes spent.
    await reachStep(currentStep() + 1);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, signedInAt + (STEP_UP_MAX_AGE + 1) * 1000 - Date.now())),
    );
    const techMfaBefore = credentials(tech).mfa_at;
    const managerMfaBefore = credentials(manager).mfa_at;

    const args = [
      'request',
      tenant,
      'admin',
      '--for',
      '1h',
      '--reason',
      'patch the domain controller',
      '--ticket',
      'T-1',
    ];
    const waiting = jit(tech, [
      '--code',
      totp(tech.secret),
      ...args,
      '--wait',
      '--timeout',
      '2m',
      '--json',
    ]);
    const id = await pendingFor(manager, 'admin', waiting);
    const approved = await jit(manager, ['approve', id, '--code', totp(manager.secret), '--json']);
    expectExit(approved, 0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ id, status: 'approved' });

    const done = await waiting;
    expectExit(done, 0);
    expect(JSON.parse(done.stdout)).toMatchObject({ id, status: 'approved' });
    expect(credentials(manager).mfa_at).not.toBe(managerMfaBefore);
    expect(credentials(tech).mfa_at).not.toBe(techMfaBefore);
    const approval = await database.db('approvals').where({ request_id: id }).first();
    expect(approval).toBeDefined();
  });

  it('ends the wait with exit 3 when the manager denies', async () => {
    const args = [
      'request',
      tenant,
      'db-admin',
      '--for',
      '30m',
      '--reason',
      'vacuum the orders table',
      '--ticket',
      'T-2',
    ];
    const waiting = jit(tech, ['--code', tech.recovery[0]!, ...args, '--wait', '--timeout', '2m']);
    const id = await pendingFor(manager, 'db-admin', waiting);
    const denied = await jit(manager, [
      'deny',
      id,
      '--reason',
      'no change window',
      '--code',
      manager.recovery[0]!,
    ]);
    expectExit(denied, 0);

    const done = await waiting;
    expectExit(done, 3);
    expect(done.stderr).toContain('error request.denied:');
  });

  it('exits 4 for a request that needs approval when --wait is not given', async () => {
    const args = ['request', tenant, 'ssh', '--for', '30m', '--reason', 'look at logs'];
    const run = await jit(tech, ['--code', tech.recovery[1]!, ...args]);
    expectExit(run, 4);
    const pending = await database.db('access_requests').where({ tenant, profile: 'ssh' }).first();
    expect(pending.status).toBe('pending');
  });

  it("signs the SSH key once approved and writes OpenSSH's -cert.pub beside it", async () => {
    const pending = await database.db('access_requests').where({ tenant, profile: 'ssh' }).first();
    const approve = ['approve', pending.id, '--code', manager.recovery[1]!, '--json'];
    const approved = expectExit(await jit(manager, approve), 0);
    const { grant_id: grant } = JSON.parse(approved.stdout);

    const key = join(tech.home, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tech', '-f', key]);
    const checkout = await jit(tech, ['checkout', grant, '--public-key', `${key}.pub`]);
    expectExit(checkout, 0);
    // ssh-keygen reads the certificate: it is a real OpenSSH certificate.
    const described = execFileSync('ssh-keygen', ['-L', '-f', `${key}-cert.pub`], {
      encoding: 'utf8',
    });
    expect(described).toContain('ubuntu');
  });

  it('lists and revokes the grant by hand', async () => {
    const list = await jit(tech, ['grants', '--status', 'active', '--json']);
    expectExit(list, 0);
    const grants = JSON.parse(list.stdout) as { id: string; profile: string }[];
    const grant = grants.find((g) => g.profile === 'admin')!;
    expect(grant).toBeDefined();

    const revoked = await jit(tech, ['revoke', grant.id, '--reason', 'done early', '--json']);
    expectExit(revoked, 0);
    const row = await database.db('grants').where({ id: grant.id }).first();
    expect(['revoking', 'revoked']).toContain(row.status);
  });

  it('lets the admin verify and export the tenant log', async () => {
    const verify = await jit(admin, ['audit', 'verify', tenant, '--json']);
    expectExit(verify, 0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ tenant, ok: true });

    const exported = await jit(admin, ['audit', 'export', tenant]);
    expectExit(exported, 0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const actions = lines.map((line) => line.action);
    expect(actions).toEqual(
      expect.arrayContaining(['request.approved', 'request.denied', 'session.opened']),
    );
  });

  it('logs out: the token file goes and the broker session ends', async () => {
    const token = credentials(tech).access_token;
    const run = await jit(tech, ['logout']);
    expectExit(run, 0);
    expect(existsSync(join(tech.home, 'jit', 'credentials.json'))).toBe(false);
    const answer = await fetch(`${broker.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(answer.status).toBe(401);
    const after = await jit(tech, ['grants']);
    expectExit(after, 3);
  });
});
