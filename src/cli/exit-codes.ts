/**
 * The exit codes scripts can rely on, and the one error type that carries
 * them. Every failure in the CLI ends as a `CliError`; main.ts prints it and
 * exits with its code.
 */

/** Documented exit codes (README, `jit --help`). */
export const EXIT = {
  /** The command did what was asked. */
  done: 0,
  /** Network failure, broker 5xx, or anything unexpected. */
  error: 1,
  /** The command line itself was wrong. */
  usage: 2,
  /** The broker refused (any 4xx), or a request was denied. */
  refused: 3,
  /** A request still waits for a decision. */
  pending: 4,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure with a stable dotted code (the broker's own code when the broker
 * refused) and the exit code it maps to.
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake on the command line: exit 2. */
export function usageError(code: string, message: string): CliError {
  return new CliError(EXIT.usage, code, message);
}

/** A failure that is nobody's refusal: exit 1. */
export function failure(code: string, message: string): CliError {
  return new CliError(EXIT.error, code, message);
}

/** A refusal, by the broker or by the state of things: exit 3. */
export function refusal(code: string, message: string): CliError {
  return new CliError(EXIT.refused, code, message);
}

/** The lines of `--help` that document the exit codes. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  done',
  '  1  error (network, broker 5xx, unexpected)',
  '  2  usage (bad command line)',
  '  3  refused (the broker answered 4xx, or the request was denied)',
  '  4  still pending (a request waits for approval)',
].join('\n');

/** The exit codes in one line, under each command's help. */
export const EXIT_CODES_LINE = 'Exit codes: 0 done, 1 error, 2 usage, 3 refused, 4 still pending.';
