import { mkdtempSync, mkdirSync, writeFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadPolicySet, PolicyError } from '../../src/policies/policy-set';
import { parseDuration } from '../../src/policies/duration';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A policy folder holding the shipped profiles plus `files` (path → YAML). */
function policyDir(files: Record<string, string> = {}, withShipped = true) {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'profiles'));
  if (withShipped) cpSync('policies/profiles', join(dir, 'profiles'), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function loadError(dir: string): string {
  try {
    loadPolicySet(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as Error).message;
  }
  throw new Error('expected the policy set to be refused');
}

describe('parseDuration', () => {
  it.each([
    ['90m', 5400],
    ['2h', 7200],
    ['1h30m', 5400],
    ['45s', 45],
    ['3600', 3600],
    [600, 600],
  ])('reads %p as %p seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each([[0], ['0'], [-5], ['-1h'], [1.5], ['2d'], ['h'], [''], ['99999999h'], [null], [{}]])(
    'refuses %p',
    (input) => {
      expect(parseDuration(input)).toBeUndefined();
    },
  );
});

describe('loadPolicySet', () => {
  it('loads the shipped policies with each kind and its limits', () => {
    const set = loadPolicySet('policies');
    const readOnly = set.profile('acme', 'read-only')!;
    expect(readOnly).toMatchObject({ credential: 'vault-token', approvalsRequired: 0 });
    expect(readOnly.maxDurationSeconds).toBe(4 * 3600);
    expect(set.profile('acme', 'admin')).toMatchObject({
      credential: 'vault-token',
      approvalsRequired: 1,
      stepUp: true,
      ticketRequired: true,
      maxDurationSeconds: 2 * 3600,
    });
    expect(set.profile('acme', 'db-admin')).toMatchObject({ credential: 'database' });
    expect(set.profile('acme', 'ssh')).toMatchObject({
      credential: 'ssh',
      vault: { role: 'technician', principals: ['ubuntu'] },
    });
    expect(set.profile('acme', 'nope')).toBeUndefined();
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies a tenant override that makes a profile stricter, for that tenant only', () => {
    const dir = policyDir({
      'tenants/acme.yaml': 'profiles:\n  read-only:\n    max_duration: 1h\n    approvals: 1\n',
    });
    const set = loadPolicySet(dir);
    expect(set.profile('acme', 'read-only')).toMatchObject({
      maxDurationSeconds: 3600,
      approvalsRequired: 1,
    });
    expect(set.profile('other', 'read-only')!.maxDurationSeconds).toBe(4 * 3600);
  });

  it('changes its hash when the content changes, not when only comments do', () => {
    const base = loadPolicySet(policyDir()).hash;
    const commented = policyDir({ 'tenants/acme.yaml': '# note\nprofiles: {}\n' });
    const plain = policyDir({ 'tenants/acme.yaml': 'profiles: {}\n' });
    expect(loadPolicySet(commented).hash).toBe(loadPolicySet(plain).hash);
    expect(loadPolicySet(plain).hash).not.toBe(base);
  });

  it.each([
    [
      'profiles/admin.yaml',
      'credential: vault-token\nmax_duration: soon\nvault:\n  policies: [a]\n',
      'max_duration: must be a duration like 2h',
    ],
    [
      'profiles/admin.yaml',
      'credential: vault-token\nmax_duration: 0\nvault:\n  policies: [a]\n',
      'max_duration:',
    ],
    ['profiles/x-y.yaml', 'credential: telnet\nmax_duration: 1h\nvault: {}\n', 'credential:'],
    [
      'profiles/x-y.yaml',
      'credential: ssh\nmax_duration: 1h\nvault:\n  role: r\n',
      'vault.principals:',
    ],
    [
      'profiles/x-y.yaml',
      'credential: database\nmax_duration: 1h\napprovals: 9\nvault:\n  role: r\n',
      'approvals:',
    ],
    [
      'profiles/x-y.yaml',
      'credential: database\nmax_duration: 1h\ncolour: red\nvault:\n  role: r\n',
      'colour: unknown key',
    ],
    ['profiles/x-y.yaml', 'credential: [unclosed\n', 'not valid YAML'],
    [
      'tenants/acme.yaml',
      'profiles:\n  admin:\n    max_duration: 9h\n',
      'profiles.admin.max_duration: may only make the profile stricter',
    ],
    [
      'tenants/acme.yaml',
      'profiles:\n  admin:\n    approvals: 0\n',
      'profiles.admin.approvals: may only make the profile stricter',
    ],
    [
      'tenants/acme.yaml',
      'profiles:\n  admin:\n    step_up: false\n',
      'profiles.admin.step_up: may only make the profile stricter',
    ],
    [
      'tenants/acme.yaml',
      'profiles:\n  nope:\n    approvals: 2\n',
      'profiles.nope: no such profile',
    ],
  ])('refuses a broken %s, naming file and key', (path, content, expected) => {
    const dir = policyDir({ [path]: content });
    const message = loadError(dir);
    expect(message.startsWith(`${relative(process.cwd(), join(dir, path))}: `)).toBe(true);
    expect(message).toContain(expected);
  });

  it('refuses a folder without profiles', () => {
    expect(loadError(policyDir({}, false))).toContain('no profile is defined');
  });
});
