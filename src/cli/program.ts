/**
 * The `jit` program: global options, help with exit codes, and every command.
 * Commander's own failures are turned into exceptions (`exitOverride`) so
 * that main.ts maps them to the documented usage exit code.
 */
import { Command } from 'commander';
import { registerAdminCommands } from './commands/admin-commands';
import { registerApprovalCommands } from './commands/approval-commands';
import { registerAuditCommands } from './commands/audit-commands';
import { registerAuthCommands } from './commands/auth-commands';
import { registerGrantCommands } from './commands/grant-commands';
import { registerRequestCommands } from './commands/request-commands';
import { EXIT_CODES_HELP } from './exit-codes';

const ENVIRONMENT_HELP = [
  'Environment:',
  '  JIT_BROKER_URL   broker address for `jit login` when --url is not given',
  '  JIT_EMAIL        e-mail for `jit login` when --email is not given',
  '  JIT_TOTP_CODE    TOTP code for login and step-up when --code is not given',
  '  XDG_CONFIG_HOME  where the token is kept: $XDG_CONFIG_HOME/jit/credentials.json (mode 0600)',
].join('\n');

/** Builds a fresh `jit` program (one per run; tests may build many). */
export function buildProgram(version: string): Command {
  const program = new Command('jit')
    .description('just-in-time privileged access from the terminal')
    .version(version, '-V, --version')
    .option('--code <code>', 'TOTP code for signing in or a step-up (else $JIT_TOTP_CODE or asked)')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    // Set before the commands are added: subcommands copy these settings.
    .exitOverride();

  registerAuthCommands(program);
  registerRequestCommands(program);
  registerGrantCommands(program);
  registerApprovalCommands(program);
  registerAuditCommands(program);
  registerAdminCommands(program);

  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  $ jit login --url https://jit.msp.example --email ana@msp.example',
      '  $ jit request acme read-only --for 1h --reason "disk alert" --wait',
      '  $ jit checkout <grant> --format env',
      '',
      EXIT_CODES_HELP,
      '',
      ENVIRONMENT_HELP,
    ].join('\n'),
  );
  return program;
}
