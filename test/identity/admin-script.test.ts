/**
 * `npm run admin -- bootstrap`, run as operators run it: the compiled script
 * (`npm run build` first; `npm run test:unit` does that) in a child process.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';
import { auditActions } from './identity-fixtures';

const database = useTestDatabase();
const SCRIPT = join(__dirname, '..', '..', 'dist', 'scripts', 'admin.js');

function admin(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('admin bootstrap', () => {
  it('creates the first admin and prints a token that enrolls, then refuses a second', async () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: database.url };
    const first = await admin(['bootstrap', '--email', 'root@msp.example', '--json'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const printed = JSON.parse(first.stdout);
    expect(printed).toMatchObject({ email: 'root@msp.example' });

    const row = await database.db('technicians').where({ id: printed.technician_id }).first();
    expect(row).toMatchObject({ role: 'admin', status: 'pending', password_hash: null });
    expect(await auditActions(database.db, row.id)).toEqual([
      'technician.created',
      'technician.enrollment_issued',
    ]);
    const enrolled = await request(createApp({ config: testConfig(), db: database.db }))
      .post('/api/v1/auth/enroll')
      .send({ enrollment_token: printed.enrollment_token, password: 'the first admin passphrase' });
    expect(enrolled.status).toBe(200);

    const second = await admin(['bootstrap', '--email', 'other@msp.example'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/admin exists/);
    const forced = await admin(['bootstrap', '--email', 'other@msp.example', '--force'], env);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/One-time enrollment token/);
  });

  it('refuses a malformed email and writes nothing', async () => {
    const before = await database.db('technicians').count({ n: '*' }).first();
    const res = await admin(['bootstrap', '--email', 'not an email'], {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
    });
    expect(res.code).toBe(1);
    expect(await database.db('technicians').count({ n: '*' }).first()).toEqual(before);
  });

  it("uses a running development broker's database through <DATA_DIR>/postgres-url", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jit-admin-'));
    try {
      writeFileSync(join(dataDir, 'postgres-url'), `${database.url}\n`, { mode: 0o600 });
      const res = await admin(['bootstrap', '--email', 'dev@msp.example', '--json', '--force'], {
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
      });
      expect(res.code).toBe(0);
      const row = await database.db('technicians').where({ email: 'dev@msp.example' }).first();
      expect(row?.id).toBe(JSON.parse(res.stdout).technician_id);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts the embedded database itself when no broker runs, and keeps its data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jit-admin-'));
    chmodSync(dataDir, 0o755);
    const env = { NODE_ENV: 'development', DATA_DIR: dataDir };
    try {
      const first = await admin(['bootstrap', '--email', 'a@msp.example', '--json'], env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      // The second run finds the first admin in the same, persistent database.
      const second = await admin(['bootstrap', '--email', 'b@msp.example'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/admin exists/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
