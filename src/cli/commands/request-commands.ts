/**
 * `jit tenants`, `jit profiles <tenant>`, `jit request ...`, `jit cancel`: what a technician
 * may ask for, and asking.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { brokerClient, withExamples } from '../cli-context';
import { EXIT, failure, refusal } from '../exit-codes';
import { note, printFields, printJson, printListing } from '../output';
import { parseWait, waitForDecision, type RequestAnswer } from '../request-wait';

interface RequestOptions {
  for: string;
  reason: string;
  ticket?: string;
  wait?: boolean;
  timeout: string;
  json?: boolean;
}

type Row = Record<string, unknown>;

/** Registers the commands to look and ask for access. */
export function registerRequestCommands(program: Command): void {
  withExamples(
    program
      .command('tenants')
      .description('list the tenants (customers) you may request access to')
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, command: Command) => {
        const { tenants } = await brokerClient(command).call<{ tenants: Row[] }>('GET', '/tenants');
        printListing(
          options.json,
          tenants,
          [
            { heading: 'slug', value: (t) => t.slug },
            { heading: 'name', value: (t) => t.name },
            { heading: 'status', value: (t) => t.status },
          ],
          'no tenants',
        );
      }),
    ['jit tenants', 'jit tenants --json | jq -r ".[].slug"'],
  );

  withExamples(
    program
      .command('profiles <tenant>')
      .description('list the access profiles of a tenant with their limits')
      .option('--json', 'print JSON')
      .action(async (tenant: string, options: { json?: boolean }, command: Command) => {
        const path = `/tenants/${encodeURIComponent(tenant)}/profiles`;
        const { profiles } = await brokerClient(command).call<{ profiles: Row[] }>('GET', path);
        printListing(
          options.json,
          profiles,
          [
            { heading: 'name', value: (p) => p.name },
            { heading: 'credential', value: (p) => p.credential },
            { heading: 'max', value: (p) => p.max_duration },
            { heading: 'approvals', value: (p) => p.approvals_required },
            { heading: 'description', value: (p) => p.description },
          ],
          'no profiles',
        );
      }),
    ['jit profiles acme', 'jit profiles acme --json'],
  );

  withExamples(
    program
      .command('request <tenant> <profile>')
      .description('ask for access to one tenant with one profile for a bounded time')
      .requiredOption('--for <duration>', 'how long: 90m, 2h, or seconds')
      .requiredOption('--reason <text>', 'why you need it (kept in the audit log)')
      .option('--ticket <id>', 'the ticket this work belongs to')
      .option('--wait', 'when approval is needed, wait for the decision')
      .option('--timeout <duration>', 'how long --wait waits (90s, 15m, 1h)', '15m')
      .option('--json', 'print the request as JSON')
      .action(async (tenant: string, profile: string, options: RequestOptions, command) =>
        request(tenant, profile, options, command as Command),
      ),
    [
      'jit request acme read-only --for 1h --reason "disk alert on fs01" --ticket T-1234',
      'jit request acme admin --for 30m --reason "patch DC" --wait --timeout 10m',
    ],
  );

  registerCancel(program);
}

/** Registers `jit cancel`: take back a request that still waits. */
function registerCancel(program: Command): void {
  withExamples(
    program
      .command('cancel <request>')
      .description('cancel your own request while it still waits for a decision')
      .option('--json', 'print JSON')
      .action(async (id: string, options: { json?: boolean }, command: Command) => {
        const path = `/requests/${encodeURIComponent(id)}/cancel`;
        const answer = await brokerClient(command).call<RequestAnswer>('POST', path);
        if (options.json) printJson(answer);
        else printFields(summary(answer));
      }),
    ['jit cancel 8d2e…'],
  );
}

async function request(tenant: string, profile: string, options: RequestOptions, command: Command) {
  const deadline = Date.now() + parseWait(options.timeout) * 1000;
  const client = brokerClient(command);
  const created = await client.call<RequestAnswer>('POST', '/requests', {
    // One key per invocation: a retried HTTP call cannot make two requests.
    headers: { 'idempotency-key': randomUUID() },
    body: {
      tenant,
      profile,
      duration: options.for,
      justification: options.reason,
      ...(options.ticket ? { ticket: options.ticket } : {}),
    },
  });
  const result = options.wait ? await waitForDecision(client, created, deadline) : created;

  if (options.json) printJson(result);
  else printFields(summary(result));

  if (result.status === 'pending') {
    note(`request ${result.id} waits for approval`);
    process.exitCode = EXIT.pending;
    return;
  }
  if (result.status !== 'approved') {
    const why = result.decision_note ? `: ${result.decision_note}` : '';
    throw refusal(`request.${result.status}`, `request ${result.id} was ${result.status}${why}`);
  }
  if (result.grant_status === 'failed') {
    throw failure('grant.failed', `the grant of request ${result.id} could not be issued`);
  }
  if (result.grant_status === 'issuing') {
    note(`grant ${result.grant_id} is still being issued`);
    process.exitCode = EXIT.pending;
  }
}

function summary(result: RequestAnswer) {
  return {
    request: result.id,
    status: result.status,
    tenant: result.tenant,
    profile: result.profile,
    grant: result.grant_id ?? null,
    grant_status: result.grant_status ?? null,
  };
}
