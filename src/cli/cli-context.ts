/**
 * What every command needs: the credential store of this user, a broker
 * client signed in from it, and where a step-up code comes from.
 */
import type { Command } from 'commander';
import { BrokerClient } from './broker-client';
import { configDir, CredentialStore } from './credential-store';
import { EXIT_CODES_LINE, refusal } from './exit-codes';
import { parseServerUrl } from './http-call';
import { ask, interactive } from './prompts';

/** Options every command accepts (set on the program). */
export interface GlobalOptions {
  /** A TOTP code for login or a step-up, instead of asking. */
  code?: string;
}

/** The credential store for the user running the CLI. */
export function credentialStore(): CredentialStore {
  return new CredentialStore(configDir(process.env));
}

/** A TOTP code from `--code`, `JIT_TOTP_CODE`, or the terminal. */
export async function totpCode(command: Command, purpose: string): Promise<string> {
  const given = (command.optsWithGlobals() as GlobalOptions).code ?? process.env.JIT_TOTP_CODE;
  if (given) return given.trim();
  if (!interactive()) {
    throw refusal(
      'auth.code_required',
      `${purpose} needs a TOTP code: pass --code <code> or set JIT_TOTP_CODE`,
    );
  }
  return ask('TOTP code: ');
}

/** A client for the broker this user signed in to. */
export function brokerClient(command: Command): BrokerClient {
  const store = credentialStore();
  const stored = store.readLogin()?.broker_url ?? process.env.JIT_BROKER_URL;
  const url = stored ? parseServerUrl(stored, 'broker') : '';
  return new BrokerClient(url, store, () => totpCode(command, 'this action'));
}

/** Adds an "Examples:" block and the exit codes to a command's help. */
export function withExamples(command: Command, examples: string[]): Command {
  const lines = examples.map((example) => `  $ ${example}`).join('\n');
  return command.addHelpText('after', `\nExamples:\n${lines}\n\n${EXIT_CODES_LINE}`);
}
