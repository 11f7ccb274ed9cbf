/**
 * `jit admin ...`: the MSP's configuration for admins: tenants, technicians
 * (add, enrollment token, disable) and assignments.
 */
import { Option, type Command } from 'commander';
import type { BrokerClient } from '../broker-client';
import { brokerClient, withExamples } from '../cli-context';
import { refusal } from '../exit-codes';
import { printFields, printJson, printListing, say } from '../output';

type Row = Record<string, unknown>;

const ROLES = ['technician', 'manager', 'admin', 'auditor'];
const RELATIONS = ['technician', 'manager'];

/** Registers `jit admin` and its subcommands. */
export function registerAdminCommands(program: Command): void {
  const admin = withExamples(
    program.command('admin').description('configure tenants, technicians, assignments'),
    ['jit admin tenants add acme --name "ACME Corp"', 'jit admin technicians list'],
  );
  const group = (name: string, description: string, example: string) =>
    withExamples(admin.command(name).description(description), [example]);
  registerTenantAdmin(group('tenants', 'customer tenants', 'jit admin tenants list'));
  registerTechnicianAdmin(group('technicians', 'people who sign in', 'jit admin technicians list'));
  registerAssignmentAdmin(
    group(
      'assignments',
      'who may request or approve for which tenant',
      'jit admin assignments add acme ana@msp.example --as manager',
    ),
  );
}

function registerTenantAdmin(tenants: Command): void {
  withExamples(
    tenants
      .command('list')
      .description('list every tenant')
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, command: Command) => {
        const answer = await brokerClient(command).call<{ tenants: Row[] }>('GET', '/tenants');
        printListing(
          options.json,
          answer.tenants,
          [
            { heading: 'slug', value: (t) => t.slug },
            { heading: 'name', value: (t) => t.name },
            { heading: 'status', value: (t) => t.status },
          ],
          'no tenants',
        );
      }),
    ['jit admin tenants list --json'],
  );

  withExamples(
    tenants
      .command('add <slug>')
      .description('add a customer tenant')
      .requiredOption('--name <name>', 'the customer name')
      .option('--json', 'print JSON')
      .action(async (slug: string, options: { name: string; json?: boolean }, command) => {
        const tenant = await brokerClient(command as Command).call<Row>('POST', '/tenants', {
          body: { slug, name: options.name },
        });
        show(tenant, options.json);
      }),
    ['jit admin tenants add acme --name "ACME Corp"'],
  );
}

function registerTechnicianAdmin(technicians: Command): void {
  withExamples(
    technicians
      .command('list')
      .description('list every technician')
      .option('--json', 'print JSON')
      .action(async (options: { json?: boolean }, command: Command) => {
        printListing(
          options.json,
          await listTechnicians(brokerClient(command)),
          [
            { heading: 'id', value: (t) => t.id },
            { heading: 'email', value: (t) => t.email },
            { heading: 'role', value: (t) => t.role },
            { heading: 'status', value: (t) => t.status },
            { heading: 'mfa', value: (t) => t.mfa_enrolled },
          ],
          'no technicians',
        );
      }),
    ['jit admin technicians list'],
  );

  withExamples(
    technicians
      .command('add <email>')
      .description('add a technician; prints their one-time enrollment token')
      .requiredOption('--name <name>', 'display name')
      .addOption(new Option('--role <role>', 'role').choices(ROLES).default('technician'))
      .option('--auditor-tenant <tenant>', 'for auditors: the one tenant they read')
      .option('--json', 'print JSON')
      .action(async (email: string, options, command: Command) => {
        const created = await brokerClient(command).call<Row>('POST', '/technicians', {
          body: {
            email,
            display_name: options.name,
            role: options.role,
            ...(options.auditorTenant ? { auditor_tenant: options.auditorTenant } : {}),
          },
        });
        show(created, options.json);
      }),
    [
      'jit admin technicians add ana@msp.example --name "Ana Lima"',
      'jit admin technicians add audit@acme.example --name "ACME audit" --role auditor --auditor-tenant acme',
    ],
  );

  withExamples(
    technicians
      .command('enrollment <technician>')
      .description('issue a new one-time enrollment token (first sign-in or MFA reset)')
      .option('--json', 'print JSON')
      .action(async (who: string, options: { json?: boolean }, command: Command) => {
        const client = brokerClient(command);
        const id = await technicianId(client, who);
        show(await client.call<Row>('POST', `/technicians/${id}/enrollment`), options.json);
      }),
    ['jit admin technicians enrollment ana@msp.example'],
  );

  withExamples(
    technicians
      .command('disable <technician>')
      .description('disable a technician: sessions end, requests cancelled, grants revoked')
      .option('--json', 'print JSON')
      .action(async (who: string, options: { json?: boolean }, command: Command) => {
        const client = brokerClient(command);
        const id = await technicianId(client, who);
        show(await client.call<Row>('POST', `/technicians/${id}/disable`), options.json);
      }),
    ['jit admin technicians disable ana@msp.example'],
  );
}

function registerAssignmentAdmin(assignments: Command): void {
  const relation = () =>
    new Option('--as <relation>', 'technician or manager').choices(RELATIONS).default('technician');

  withExamples(
    assignments
      .command('add <tenant> <technician>')
      .description('let a technician request (or a manager approve) for a tenant')
      .addOption(relation())
      .action(async (tenant: string, who: string, options: { as: string }, command: Command) => {
        const client = brokerClient(command);
        const id = await technicianId(client, who);
        await client.call('PUT', `/tenants/${encodeURIComponent(tenant)}/assignments/${id}`, {
          body: { relation: options.as },
        });
        say(`${who} is ${options.as} for ${tenant}`);
      }),
    [
      'jit admin assignments add acme ana@msp.example',
      'jit admin assignments add acme bo@msp.example --as manager',
    ],
  );

  withExamples(
    assignments
      .command('remove <tenant> <technician>')
      .description('remove an assignment (every relation unless --as is given)')
      .addOption(new Option('--as <relation>', 'only this relation').choices(RELATIONS))
      .action(async (tenant: string, who: string, options: { as?: string }, command: Command) => {
        const client = brokerClient(command);
        const id = await technicianId(client, who);
        const query = options.as ? `?relation=${options.as}` : '';
        await client.call(
          'DELETE',
          `/tenants/${encodeURIComponent(tenant)}/assignments/${id}${query}`,
        );
        say(`${who} is no longer assigned to ${tenant}`);
      }),
    ['jit admin assignments remove acme ana@msp.example'],
  );
}

async function listTechnicians(client: BrokerClient): Promise<Row[]> {
  const answer = await client.call<Row[] | { technicians: Row[] }>('GET', '/technicians');
  return Array.isArray(answer) ? answer : answer.technicians;
}

// Admins think in e-mail addresses; the API names technicians by id.
async function technicianId(client: BrokerClient, who: string): Promise<string> {
  if (!who.includes('@')) return encodeURIComponent(who);
  const match = (await listTechnicians(client)).find(
    (t) => String(t.email).toLowerCase() === who.toLowerCase(),
  );
  if (!match) throw refusal('technician.not_found', `no technician with e-mail ${who}`);
  return String(match.id);
}

function show(record: Row, json: boolean | undefined): void {
  if (json) printJson(record);
  else printFields(record);
}
