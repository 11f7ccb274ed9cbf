/**
 * Runs the compiled broker (`dist/src/main.js`, built by `npm run build`) as a
 * child process, the way operators run it, and reads the URL it announces.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A broker child process. */
export interface BrokerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** Starts the broker with `env`; resolves once it prints its URL. */
export function spawnBroker(env: Record<string, string>, timeoutMs = 20000) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const started = new Promise<BrokerProcess>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`broker did not start:\n${output}`)),
      timeoutMs,
    );
    const watch = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output, exited });
      }
    };
    child.stdout.on('data', watch);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}:\n${output}`));
    });
  });
  return { started, exited, output: () => output };
}
