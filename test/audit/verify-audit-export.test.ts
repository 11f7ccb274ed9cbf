import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCheckpoint } from '../../src/audit/checkpoints';
import { exportAuditLog } from '../../src/audit/export';
import { generateSigner } from '../../src/audit/signing-key';
import { useTestDatabase } from '../support/database';
import { createTenant } from '../support/factories';
import { appendEvents, tamper } from './audit-fixtures';

const database = useTestDatabase();
const signer = generateSigner();
const VERIFIER = join(__dirname, '../../scripts/verify-audit-export.mjs');
const folder = mkdtempSync(join(tmpdir(), 'audit-export-'));
let original: Buffer;
let tenant: string;

// Runs the standalone verifier the way a customer would: plain node, no packages.
function verifier(bytes: Buffer, ...args: string[]) {
  const file = join(folder, `export-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(file, bytes);
  const run = spawnSync(process.execPath, [VERIFIER, file, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

beforeAll(async () => {
  tenant = await createTenant(database.db);
  await appendEvents(database.db, tenant, 8);
  await writeCheckpoint(database.db, signer, tenant);
  await appendEvents(database.db, tenant, 3);
  await writeCheckpoint(database.db, signer, tenant);
  let text = '';
  for await (const line of exportAuditLog(database.db, signer, tenant)) text += line;
  original = Buffer.from(text, 'utf8');
});

describe('scripts/verify-audit-export.mjs', () => {
  it('accepts a fresh export, with the key pinned by id', () => {
    const run = verifier(original, '--key-id', signer.keyId);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`events=13`);
  });

  it('accepts a fresh export with the key pinned from a PEM file', () => {
    const keyFile = join(folder, 'public.pem');
    writeFileSync(keyFile, signer.published().pem);
    expect(verifier(original, '--public-key', keyFile).status).toBe(0);
  });

  it('rejects an export signed by a key other than the pinned one', () => {
    const run = verifier(original, '--key-id', generateSigner().keyId);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAULT key_mismatch/);
  });

  // Spread over the whole file: header, key, checkpoints, events, the last newline.
  const offsets = Array.from({ length: 24 }, (_, i) => i);
  it.each(offsets)('rejects the export with one byte changed (sample %i of 24)', (i) => {
    const offset = Math.min(original.length - 1, Math.floor((i * original.length) / 23));
    const changed = Buffer.from(original);
    changed[offset] = changed[offset] === 0x30 ? 0x31 : 0x30;
    expect(verifier(changed).status).toBe(1);
  });

  it('names the seq of a changed event', () => {
    const text = original
      .toString('utf8')
      .replace('"subject":"subject-4"', '"subject":"subject-5"');
    const run = verifier(Buffer.from(text, 'utf8'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAULT hash_mismatch at seq 5:/);
  });

  it('finds a cut-off tail against the last checkpoint', () => {
    const lines = original.toString('utf8').trimEnd().split('\n');
    const cut = `${lines.slice(0, -2).join('\n')}\n`;
    const run = verifier(Buffer.from(cut, 'utf8'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAULT truncation at seq 12:/);
  });

  it('finds a deleted event line as a gap', () => {
    const lines = original.toString('utf8').trimEnd().split('\n');
    const fifth = lines.findIndex(
      (line) => line.includes('"type":"event","tenant"') && line.includes('"seq":5,'),
    );
    const without = lines.filter((_, i) => i !== fifth);
    const run = verifier(Buffer.from(`${without.join('\n')}\n`, 'utf8'));
    expect(run.stdout).toMatch(/^FAULT gap at seq 5:/);
  });

  it('finds truncation in an export of a tail cut in the database, head row rewound', async () => {
    const cut = await createTenant(database.db);
    await appendEvents(database.db, cut, 5);
    await writeCheckpoint(database.db, signer, cut);
    await tamper(database.db, async (trx) => {
      await trx('audit_events').where({ tenant: cut }).andWhere('seq', '>', 3).delete();
      const last = await trx('audit_events').where({ tenant: cut, seq: 3 }).first('hash');
      await trx('audit_heads').where({ tenant: cut }).update({ seq: 3, hash: last.hash });
    });
    let text = '';
    for await (const line of exportAuditLog(database.db, signer, cut)) text += line;
    const run = verifier(Buffer.from(text, 'utf8'));
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAULT truncation at seq 4:/);
  });

  it('answers 2 for bad usage', () => {
    const run = spawnSync(process.execPath, [VERIFIER], { encoding: 'utf8' });
    expect(run.status).toBe(2);
  });
});
