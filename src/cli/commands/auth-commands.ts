/**
 * `jit login`, `jit logout`, `jit whoami`: signing in with password and TOTP,
 * and the token file that keeps the sign-in between commands.
 */
import type { Command } from 'commander';
import { BrokerClient, type TokenAnswer } from '../broker-client';
import { brokerClient, credentialStore, totpCode, withExamples } from '../cli-context';
import { EXIT, usageError, type CliError } from '../exit-codes';
import { parseServerUrl } from '../http-call';
import { printFields, printJson, say } from '../output';
import { readStdin, valueOrAsk } from '../prompts';

interface LoginOptions {
  url?: string;
  email?: string;
  passwordStdin?: boolean;
}

/**
 * Registers the sign-in commands.
 *
 * LIMITATION: there is no `jit enroll`: setting the password and scanning the
 * TOTP QR code happen on the web form (or the enrollment API). A technician
 * without a browser needs someone to relay the otpauth URI.
 */
export function registerAuthCommands(program: Command): void {
  withExamples(
    program
      .command('login')
      .description(
        'sign in with e-mail, password and a TOTP code; keeps the token for later commands',
      )
      .option('--url <url>', 'broker address (default: $JIT_BROKER_URL, then the last one used)')
      .option('--email <email>', 'your e-mail address (asked when missing)')
      .option('--password-stdin', 'read the password from standard input instead of asking')
      .action(async (options: LoginOptions, command: Command) => login(options, command)),
    [
      'jit login --url https://jit.msp.example --email ana@msp.example',
      'pass show jit | jit login --email ana@msp.example --password-stdin --code 123456',
    ],
  );

  withExamples(
    program
      .command('logout')
      .description('end the login session at the broker and delete the stored token')
      .action(async (_options: object, command: Command) => logout(command)),
    ['jit logout'],
  );

  withExamples(
    program
      .command('whoami')
      .description('show who is signed in, where, and until when')
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, command: Command) => {
        const client = brokerClient(command);
        const me = await client.call<Record<string, unknown>>('GET', '/me');
        const login = client.signedIn!;
        const view = { ...me, broker_url: login.broker_url, token_expires_at: login.expires_at };
        if (options.json) printJson(view);
        else printFields(view);
      }),
    ['jit whoami', 'jit whoami --json'],
  );
}

async function login(options: LoginOptions, command: Command): Promise<void> {
  const store = credentialStore();
  const previous = store.readLogin();
  const address = options.url ?? process.env.JIT_BROKER_URL ?? previous?.broker_url;
  if (!address) throw usageError('cli.url_required', 'no broker address: pass --url <url>');
  const url = parseServerUrl(address, 'broker');

  const email = await valueOrAsk(
    options.email ??
      process.env.JIT_EMAIL ??
      (previous?.broker_url === url ? previous.email : undefined),
    'E-mail: ',
    { code: 'cli.email_required', message: 'no e-mail: pass --email <email>' },
  );
  const password = options.passwordStdin
    ? await readStdin()
    : await valueOrAsk(
        undefined,
        'Password: ',
        {
          code: 'cli.password_required',
          message: 'no terminal to ask the password: use --password-stdin',
        },
        { hidden: true },
      );
  if (!password) throw usageError('cli.password_required', 'the password is empty');

  const client = new BrokerClient(url, store, () => totpCode(command, 'signing in'));
  const { challenge } = await client.call<{ challenge: string }>('POST', '/auth/login', {
    auth: false,
    body: { email, password },
  });
  const code = await totpCode(command, 'signing in');
  const token = await client.call<TokenAnswer>('POST', '/auth/mfa', {
    auth: false,
    body: { challenge, code },
  });
  client.save(email, token);
  say(`signed in as ${email} at ${url}`);
}

async function logout(command: Command): Promise<void> {
  const store = credentialStore();
  if (store.readLogin()) {
    // The local token goes even when the broker cannot be told: a stale
    // session at the broker ends by itself, a token left on disk does not.
    try {
      await brokerClient(command).call('POST', '/auth/logout');
    } catch (error) {
      // A refusal means the session had already ended at the broker.
      if ((error as CliError).exitCode !== EXIT.refused) {
        store.clear();
        throw error;
      }
    }
    store.clear();
  }
  say('signed out');
}
