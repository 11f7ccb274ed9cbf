/**
 * Asking the person at the terminal: plain answers, hidden answers (the
 * password), and reading a secret from standard input for scripts. Prompts go
 * to stderr so that stdout stays clean for what scripts capture.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { usageError } from './exit-codes';

/** True when a person can answer on standard input. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY);
}

/** Asks `question` and returns the answer; the typed text is not echoed when `hidden`. */
export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  // readline echoes through its output stream: muting that stream hides the
  // typed characters while the question itself was already written.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve, reject) => {
    reader.once('SIGINT', () => {
      reader.close();
      process.stderr.write('\n');
      reject(usageError('cli.cancelled', 'cancelled'));
    });
    reader.question(question, (answer) => {
      reader.close();
      if (options.hidden) process.stderr.write('\n');
      resolve(answer.trim());
    });
    muted = options.hidden === true;
  });
}

/** Reads all of standard input and drops one trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * A value from an option, else from the environment, else asked at the
 * terminal; a script without a terminal gets a usage error naming the option.
 */
export async function valueOrAsk(
  value: string | undefined,
  question: string,
  missing: { code: string; message: string },
  options: { hidden?: boolean } = {},
): Promise<string> {
  if (value) return value;
  if (!interactive()) throw usageError(missing.code, missing.message);
  const answer = await ask(question, options);
  if (!answer) throw usageError(missing.code, missing.message);
  return answer;
}
