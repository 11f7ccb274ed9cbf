/**
 * Shared by the benchmark scripts: a PostgreSQL server to measure on, and
 * latency statistics. Benchmarks are scripts, never timed tests.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres';
import { configureLogger } from '../src/platform/logger';
import { VaultStandin } from '../src/vault-standin/standin-server';

/** DATABASE_URL's server, or an embedded PostgreSQL in a temporary folder. */
export async function benchServer() {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: async () => undefined };
  }
  const folder = mkdtempSync(join(tmpdir(), 'jit-bench-'));
  chmodSync(folder, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: join(folder, 'pg'), persistent: false });
  return {
    url: embedded.url,
    stop: async () => {
      await embedded.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A Vault stand-in in a process of its own. */
export interface StandinProcess {
  url: string;
  rootToken: string;
  stop: () => void;
}

/**
 * Starts the Vault stand-in in a child process, as Vault runs apart from the
 * broker: in the measured process its request handling and its growing store
 * would share one event loop and one heap with what is measured. `script` is
 * the benchmark's own file, which must call `serveStandin` when its first
 * argument is `standin`.
 */
export function standinProcess(script: string): Promise<StandinProcess> {
  const child = spawn(process.execPath, [script, 'standin'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ ...JSON.parse(line), stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
}

/** The child's side of `standinProcess`: serves until SIGTERM. */
export async function serveStandin() {
  configureLogger({ level: 'error', json: true, silent: true });
  const standin = await new VaultStandin({ quiet: true }).start();
  console.log(JSON.stringify({ url: standin.url, rootToken: standin.rootToken }));
  process.once('SIGTERM', () => {
    void standin.stop().then(() => process.exit(0));
  });
}

/** The q-quantile (0..1) of `values` in milliseconds, nearest rank. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/** Runs `op(i)` for i in [0, count) with at most `concurrency` at once; returns latencies. */
export async function runConcurrent(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t0 = process.hrtime.bigint();
      await op(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies };
}

/** A run's rate (items per second) and latency quantiles (milliseconds). */
export interface RunStats {
  rate: number;
  p50: number;
  p99: number;
  /** CPU time this process spent per item (milliseconds), on all its threads. */
  cpuPerItem: number;
}

/** Milliseconds of CPU this process has used since `since` (a process.cpuUsage()). */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** `flow` over every item, `concurrency` at a time: a closed loop. */
export async function measure<T>(
  concurrency: number,
  items: T[],
  flow: (item: T) => Promise<void>,
): Promise<RunStats> {
  const cpu = process.cpuUsage();
  const { seconds, latencies } = await runConcurrent(items.length, concurrency, (i) =>
    flow(items[i]!),
  );
  return {
    rate: items.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    cpuPerItem: cpuMsSince(cpu) / items.length,
  };
}

/**
 * Starts item i at `i / rate` seconds whether or not earlier ones are done (an
 * open loop), and times each from its scheduled start, so that a late start
 * counts against the side that caused it.
 */
export async function measurePaced<T>(
  rate: number,
  items: T[],
  flow: (item: T) => Promise<void>,
): Promise<RunStats> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const latencies = await Promise.all(
    items.map(async (item, i) => {
      const due = started + (i * 1000) / rate;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      await flow(item);
      return performance.now() - due;
    }),
  );
  return {
    rate: items.length / ((performance.now() - started) / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    cpuPerItem: cpuMsSince(cpu) / items.length,
  };
}
