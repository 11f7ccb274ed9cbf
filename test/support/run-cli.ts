/**
 * Runs the built `jit` command (`bin/jit.js` → `dist/src/cli/main.js`) as a
 * child process, the way a technician's shell does, with its own config
 * folder. Asynchronous on purpose: a test may serve HTTP in this process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'jit.js');

/** What a run of the CLI left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh, empty XDG config home. */
export function tempConfigHome(): string {
  return mkdtempSync(join(tmpdir(), 'jit-cli-'));
}

/** Runs `jit <args>` with `env` added to a minimal environment; `input` goes to stdin. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
