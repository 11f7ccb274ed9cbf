/**
 * `jit grants`, `jit checkout`, `jit end`, `jit revoke`: using and ending
 * access that was granted.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { brokerClient, credentialStore, withExamples } from '../cli-context';
import {
  certificatePath,
  FORMATS,
  render,
  unwrap,
  writePrivateFile,
  type CheckoutAnswer,
  type Format,
} from '../credential-delivery';
import { refusal, usageError } from '../exit-codes';
import { note, printFields, printJson, printListing, say } from '../output';

interface GrantView {
  id: string;
  tenant: string;
  profile: string;
  credential_kind: string;
  status: string;
  ends_at: string;
  seconds_left: number;
}

interface CheckoutOptions {
  format: Format;
  out?: string;
  publicKey?: string;
}

/** Registers the grant commands. */
export function registerGrantCommands(program: Command): void {
  withExamples(
    program
      .command('grants')
      .description('list your grants, newest first')
      .option('--status <status>', 'only grants in this status (active, expired, revoked, ...)')
      .option('--tenant <tenant>', 'only grants on this tenant')
      .option('--all', 'every grant you may see, not only your own (managers, admins)')
      .option('--json', 'print JSON')
      .action(async (options, command: Command) => {
        const query = new URLSearchParams({ scope: options.all ? 'all' : 'mine' });
        if (options.status) query.set('status', options.status);
        if (options.tenant) query.set('tenant', options.tenant);
        const { grants } = await brokerClient(command).call<{ grants: GrantView[] }>(
          'GET',
          `/grants?${query}`,
        );
        printListing(
          options.json,
          grants,
          [
            { heading: 'id', value: (g) => g.id },
            { heading: 'tenant', value: (g) => g.tenant },
            { heading: 'profile', value: (g) => g.profile },
            { heading: 'kind', value: (g) => g.credential_kind },
            { heading: 'status', value: (g) => g.status },
            { heading: 'ends', value: (g) => g.ends_at },
            { heading: 'left(s)', value: (g) => g.seconds_left },
          ],
          'no grants',
        );
      }),
    ['jit grants', 'jit grants --status active --json'],
  );

  withExamples(
    program
      .command('checkout <grant>')
      .description('open an access session and receive the credential (unwrapped once at Vault)')
      .addOption(
        new Option('--format <format>', 'how to print the credential')
          .choices(FORMATS)
          .default('text'),
      )
      .option('--out <file>', 'write the credential to this file (mode 0600) instead of stdout')
      .option('--public-key <file>', 'SSH grants: the public key to sign; writes <key>-cert.pub')
      .action(async (grant: string, options: CheckoutOptions, command: Command) =>
        checkout(grant, options, command),
      ),
    [
      'jit checkout 3f6c…',
      'eval "$(jit checkout 3f6c… --format env)"',
      'jit checkout 3f6c… --format json --out creds.json',
      'jit checkout 3f6c… --public-key ~/.ssh/id_ed25519.pub',
    ],
  );

  withExamples(
    program
      .command('heartbeat <grant>')
      .description('tell the broker the access session this machine opened is still in use')
      .action(async (grant: string, _options: object, command: Command) => {
        const sessionId = rememberedSession(grant);
        await brokerClient(command).call('POST', `/sessions/${sessionId}/heartbeat`);
        say(`session ${sessionId} is in use`);
      }),
    ['while sleep 300; do jit heartbeat 3f6c…; done'],
  );

  withExamples(
    program
      .command('end <grant>')
      .description('close the access session this machine opened on a grant')
      .action(async (grant: string, _options: object, command: Command) => {
        const store = credentialStore();
        const sessionId = rememberedSession(grant);
        try {
          await brokerClient(command).call('POST', `/sessions/${sessionId}/close`);
        } finally {
          // Closed now or refused as closed already: either way nothing is left to end.
          store.rememberSession(grant.toLowerCase(), null);
        }
        say(`session ${sessionId} closed`);
      }),
    ['jit end 3f6c…'],
  );

  withExamples(
    program
      .command('revoke <grant>')
      .description('end a grant early; its credential is revoked at Vault')
      .requiredOption('--reason <text>', 'why (kept in the audit log)')
      .option('--json', 'print JSON')
      .action(async (grant: string, options: { reason: string; json?: boolean }, command) => {
        const path = `/grants/${encodeURIComponent(grant)}/revoke`;
        const answer = await brokerClient(command as Command).call<Record<string, unknown>>(
          'POST',
          path,
          { body: { reason: options.reason } },
        );
        if (options.json) printJson(answer);
        else printFields(answer);
      }),
    ['jit revoke 3f6c… --reason "work finished early"'],
  );
}

async function checkout(grantId: string, options: CheckoutOptions, command: Command) {
  const client = brokerClient(command);
  const path = `/grants/${encodeURIComponent(grantId)}`;
  const grant = await client.call<GrantView>('GET', path);
  if (grant.credential_kind === 'ssh' && !options.publicKey) {
    throw usageError('cli.public_key_required', 'an SSH grant needs --public-key <file>');
  }
  const publicKey = options.publicKey ? readPublicKey(options.publicKey) : undefined;

  const answer = await client.call<CheckoutAnswer>('POST', `${path}/checkout`, {
    body: publicKey ? { public_key: publicKey } : {},
  });
  credentialStore().rememberSession(grant.id, answer.session_id);
  const credential = await unwrap(answer);

  const facts = {
    grant_id: grant.id,
    session_id: answer.session_id,
    expires_at: answer.expires_at,
    vault_addr: answer.vault_addr,
  };
  if (options.publicKey && typeof credential.signed_key === 'string') {
    const certPath = certificatePath(options.publicKey);
    writePrivateFile(certPath, `${credential.signed_key.trim()}\n`);
    note(`certificate written to ${certPath}`);
  }
  const output = render(options.format, grant.credential_kind, facts, credential);
  if (options.out) {
    writePrivateFile(options.out, output);
    note(`credential written to ${options.out}`);
  } else {
    process.stdout.write(output);
  }
}

// LIMITATION: only sessions opened by `jit checkout` with this config folder
// are known: the API lists no open sessions of a grant. A session opened from
// another machine or the web form cannot be ended here; it closes at the
// grant's end or with `jit revoke`.
function rememberedSession(grant: string): string {
  // Grant ids are UUIDs, which the broker writes in lower case.
  const sessionId = credentialStore().readSessions()[grant.toLowerCase()];
  if (!sessionId) {
    throw refusal(
      'cli.session_unknown',
      `no open access session of grant ${grant} was started from this machine`,
    );
  }
  return sessionId;
}

function readPublicKey(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw usageError(
      'cli.public_key_unreadable',
      `cannot read ${path}: ${(error as Error).message}`,
    );
  }
}
