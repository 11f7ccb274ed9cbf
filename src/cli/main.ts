/**
 * Runs `jit` with the process arguments and exits with a documented code:
 * 0 done, 1 error, 2 usage, 3 refused, 4 still pending (see exit-codes.ts).
 * bin/jit.js requires this file from the build.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes';
import { buildProgram } from './program';

// The package version, read at run time so the build needs no JSON import.
function packageVersion(): string {
  try {
    const file = join(__dirname, '..', '..', '..', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Runs the CLI on `argv` (process.argv shape) and returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram(packageVersion());
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.done);
  } catch (error) {
    return exitCodeOf(error);
  }
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed its own message already; help and version end well.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') {
      return EXIT.done;
    }
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`error cli.unexpected: ${(error as Error)?.message ?? String(error)}\n`);
  return EXIT.error;
}

if (require.main === module) {
  void run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
