/**
 * Shared by the benchmark scripts: a PostgreSQL server to measure on, and
 * latency statistics. Benchmarks are scripts, never timed tests.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres';

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
}

/** `flow` over every item, `concurrency` at a time: a closed loop. */
export async function measure<T>(
  concurrency: number,
  items: T[],
  flow: (item: T) => Promise<void>,
): Promise<RunStats> {
  const { seconds, latencies } = await runConcurrent(items.length, concurrency, (i) =>
    flow(items[i]!),
  );
  return {
    rate: items.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
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
  };
}
