/**
 * `jit approvals`, `jit approve`, `jit deny`: a manager's side of requests.
 * Deciding needs a fresh MFA answer; when the broker asks for one the client
 * takes a code (`--code`, JIT_TOTP_CODE, or the terminal) and steps up.
 */
import type { Command } from 'commander';
import { brokerClient, withExamples } from '../cli-context';
import { printFields, printJson, printListing } from '../output';

type Row = Record<string, unknown>;

/** Registers the approval commands. */
export function registerApprovalCommands(program: Command): void {
  withExamples(
    program
      .command('approvals')
      .description('list the requests waiting for your decision')
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, command: Command) => {
        const { requests } = await brokerClient(command).call<{ requests: Row[] }>(
          'GET',
          '/requests?scope=pending',
        );
        printListing(
          options.json,
          requests,
          [
            { heading: 'id', value: (r) => r.id },
            { heading: 'tenant', value: (r) => r.tenant },
            { heading: 'profile', value: (r) => r.profile },
            { heading: 'for', value: (r) => r.duration },
            { heading: 'technician', value: (r) => r.technician_email ?? r.technician_id },
            { heading: 'ticket', value: (r) => r.ticket },
            { heading: 'justification', value: (r) => r.justification },
          ],
          'nothing waits for you',
        );
      }),
    ['jit approvals', 'jit approvals --json'],
  );

  withExamples(
    program
      .command('approve <request>')
      .description('approve a pending request (asks for a fresh TOTP code when needed)')
      .option('--note <text>', 'a note kept with the decision')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { note?: string; json?: boolean }, command: Command) =>
        decide(command, id, 'approve', options.note, options.json),
      ),
    ['jit approve 8d2e…', 'jit approve 8d2e… --note "change CHG-77" --code 123456'],
  );

  withExamples(
    program
      .command('deny <request>')
      .description('deny a pending request (asks for a fresh TOTP code when needed)')
      .requiredOption('--reason <text>', 'why, shown to the requester')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { reason: string; json?: boolean }, command: Command) =>
        decide(command, id, 'deny', options.reason, options.json),
      ),
    ['jit deny 8d2e… --reason "no ticket for this"'],
  );
}

async function decide(
  command: Command,
  id: string,
  verb: 'approve' | 'deny',
  text: string | undefined,
  json: boolean | undefined,
) {
  const answer = await brokerClient(command).call<Row>(
    'POST',
    `/requests/${encodeURIComponent(id)}/${verb}`,
    { body: text ? { note: text } : {} },
  );
  if (json) printJson(answer);
  else
    printFields({
      request: answer.id,
      status: answer.status,
      grant: answer.grant_id ?? null,
      grant_status: answer.grant_status ?? null,
    });
}
