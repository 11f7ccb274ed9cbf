/**
 * `jit audit verify <tenant>` and `jit audit export <tenant>`: an admin's or
 * a tenant auditor's view of one tenant's audit log.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Command } from 'commander';
import { brokerClient, withExamples } from '../cli-context';
import { failure } from '../exit-codes';
import { note, printFields, printJson } from '../output';

/** Registers the audit commands. */
export function registerAuditCommands(program: Command): void {
  const audit = withExamples(
    program
      .command('audit')
      .description('verify or export a tenant audit log (admins, the tenant auditor)'),
    ['jit audit verify acme', 'jit audit export acme > acme-audit.jsonl'],
  );

  withExamples(
    audit
      .command('verify <tenant>')
      .description('check the hash chain and signed checkpoints; exits 1 when they do not verify')
      .option('--json', 'print JSON')
      .action(async (tenant: string, options: { json?: boolean }, command: Command) => {
        const result = await brokerClient(command).call<Record<string, unknown>>(
          'GET',
          `/audit/${encodeURIComponent(tenant)}/verify`,
        );
        if (options.json) printJson(result);
        else printFields(result);
        if (result.ok !== true) {
          throw failure('audit.chain_broken', `the audit log of ${tenant} does not verify`);
        }
      }),
    ['jit audit verify acme', 'jit audit verify acme --json'],
  );

  withExamples(
    audit
      .command('export <tenant>')
      .description('write the log as JSON Lines (events and checkpoints) for offline checks')
      .option('--out <file>', 'write to this file instead of stdout')
      .action(async (tenant: string, options: { out?: string }, command: Command) => {
        const answer = await brokerClient(command).exchange(
          'GET',
          `/audit/${encodeURIComponent(tenant)}/export`,
          { headers: { accept: 'application/x-ndjson' } },
        );
        if (!answer.body) throw failure('cli.bad_answer', 'the broker sent an empty export');
        // Streamed line by line: an export can be larger than memory.
        const body = Readable.fromWeb(answer.body as WebReadableStream<Uint8Array>);
        const target = options.out ? createWriteStream(options.out) : process.stdout;
        await pipeline(body, target, { end: Boolean(options.out) });
        if (options.out) note(`audit log of ${tenant} written to ${options.out}`);
      }),
    ['jit audit export acme > acme-audit.jsonl', 'jit audit export acme --out acme-audit.jsonl'],
  );
}
