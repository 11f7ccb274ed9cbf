/**
 * The two sides of the grant benchmark (scripts/bench-grants.ts), one flow
 * each: the broker's over HTTP, as a technician's client drives it, and the
 * bare baseline making the same Vault calls and writing the same rows with
 * plain pg.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { tenantPaths } from '../src/vault/tenant-paths';
import type { VaultServices } from '../src/vault/vault-services';

/** Per-tenant Vault paths, as the benchmark sets Vault up. */
export const SETTINGS = { tenantPath: 'customers/{tenant}', namespace: undefined };

/** One technician signed in and assigned to one tenant. */
export interface Pair {
  tenant: string;
  technicianId: string;
  authorization: string;
}

// The load generator shares the broker's process and CPU, so it uses the
// cheapest client there is: node:http on kept-alive connections (fetch costs
// about a millisecond more per flow, which would be charged to the broker).
export const agent = new http.Agent({ keepAlive: true });

function post(url: string, authorization: string, body: unknown) {
  const payload = JSON.stringify(body);
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 201) reject(new Error(`${url}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as Record<string, unknown>);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Request for an auto-approved profile, then checkout, over HTTP. */
export async function brokerFlow(base: string, pair: Pair) {
  const created = await post(`${base}/api/v1/requests`, pair.authorization, {
    tenant: pair.tenant,
    profile: 'read-only',
    duration: '1h',
    justification: 'benchmark: routine health check',
  });
  if (created.grant_status !== 'active') throw new Error(`grant ${String(created.grant_status)}`);
  await post(`${base}/api/v1/grants/${String(created.grant_id)}/checkout`, pair.authorization, {});
}

let auditSeq = 0;
function auditRow(tenant: string, action: string, subject: string) {
  auditSeq += 1;
  const hash = randomBytes(32).toString('hex');
  return [tenant, auditSeq, randomUUID(), new Date().toISOString(), action, subject, hash];
}
const AUDIT_INSERT =
  'insert into bench_audit ' +
  '(tenant, seq, id, time, actor_kind, action, subject, data, prev_hash, hash) ' +
  "values ($1, $2, $3, $4, 'technician', $5, $6, '{}', $7, $7)";

export type Query = (text: string, values?: unknown[]) => Promise<unknown>;

/** The same Vault calls and rows as the broker's flow, with nothing around them. */
export async function bareFlow(sql: Query, vault: VaultServices, pair: Pair) {
  const requestId = randomUUID();
  const grantId = randomUUID();
  const ends = new Date(Date.now() + 3600_000);
  await sql(
    'insert into access_requests (id, tenant, technician_id, profile, duration_seconds, ' +
      "justification, status, policy_hash, expires_at) values ($1, $2, $3, 'read-only', 3600, " +
      "'benchmark', 'approved', 'bench', $4)",
    [requestId, pair.tenant, pair.technicianId, ends],
  );
  await sql(
    'insert into grants (id, request_id, tenant, technician_id, profile, credential_kind, ' +
      "status, starts_at, ends_at) values ($1, $2, $3, $4, 'read-only', 'vault-token', " +
      "'issuing', now(), $5)",
    [grantId, requestId, pair.tenant, pair.technicianId, ends],
  );
  for (const action of ['request.created', 'request.approved', 'grant.issuing']) {
    await sql(AUDIT_INSERT, auditRow(pair.tenant, action, grantId));
  }
  const paths = tenantPaths(SETTINGS, pair.tenant);
  const issued = await vault.client.call('POST', `auth/token/create/${paths.tokenRole}`, {
    policies: [`${pair.tenant}-read-only`],
    ttl: '3600s',
    explicit_max_ttl: '3600s',
    renewable: false,
    meta: { grant_id: grantId },
  });
  const auth = issued!.auth as { client_token: string; accessor: string };
  const parked = await vault.wrap(pair.tenant, { token: auth.client_token }, 3600);
  await sql(
    "update grants set status = 'active', vault_accessor = $2, parked_wrap_sealed = $3 " +
      'where id = $1',
    [grantId, auth.accessor, parked.token],
  );
  await sql(AUDIT_INSERT, auditRow(pair.tenant, 'grant.issued', grantId));

  const credential = await vault.unwrap(pair.tenant, parked.token);
  const reparked = await vault.wrap(pair.tenant, credential, 3600);
  await sql('update grants set parked_wrap_sealed = $2 where id = $1', [grantId, reparked.token]);
  await vault.wrap(pair.tenant, credential, 300);
  const sessionId = randomUUID();
  await sql(
    'insert into access_sessions (id, grant_id, tenant, technician_id) values ($1, $2, $3, $4)',
    [sessionId, grantId, pair.tenant, pair.technicianId],
  );
  await sql(AUDIT_INSERT, auditRow(pair.tenant, 'session.opened', sessionId));
}
