/**
 * The last step of checkout, on the technician's machine: unwrap the
 * single-use wrapping token at Vault, then print or write the credential.
 * See https://developer.hashicorp.com/vault/api-docs/system/wrapping-unwrap
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { CliError, EXIT } from './exit-codes';
import { errorFromAnswer, jsonOf, parseServerUrl, send } from './http-call';

/** What the broker answers on checkout (DESIGN.md section 9). */
export interface CheckoutAnswer {
  session_id: string;
  wrap_token: string;
  wrap_ttl: number;
  vault_addr: string;
  expires_at: string;
  namespace?: string;
}

/** The ways `jit checkout` can show a credential. */
export const FORMATS = ['text', 'env', 'json'] as const;

/** One of FORMATS. */
export type Format = (typeof FORMATS)[number];

const VAULT = 'Vault';

/** Unwraps the credential, once; a second unwrap fails at Vault by design. */
export async function unwrap(answer: CheckoutAnswer): Promise<Record<string, unknown>> {
  const addr = parseServerUrl(answer.vault_addr, VAULT);
  const headers: Record<string, string> = { 'X-Vault-Token': answer.wrap_token };
  if (answer.namespace) headers['X-Vault-Namespace'] = answer.namespace;
  const reply = await send(`${addr}/v1/sys/wrapping/unwrap`, { method: 'POST', headers }, VAULT);
  if (!reply.ok) {
    const error = await errorFromAnswer(reply, VAULT);
    // A wrapping token that does not unwrap was used already or expired:
    // someone may have intercepted it, so say so plainly.
    throw new CliError(
      error.exitCode,
      'vault.unwrap_failed',
      `Vault refused to unwrap the credential (${error.message}); if you did not unwrap it, report it`,
    );
  }
  const body = await jsonOf<{ data?: Record<string, unknown> }>(reply, VAULT);
  if (!body.data)
    throw new CliError(EXIT.error, 'vault.bad_answer', 'Vault returned no credential');
  return body.data;
}

/** The credential in the asked format, with the session facts around it. */
export function render(
  format: Format,
  kind: string,
  facts: { grant_id: string; session_id: string; expires_at: string; vault_addr: string },
  credential: Record<string, unknown>,
): string {
  if (format === 'json') {
    return `${JSON.stringify({ ...facts, credential_kind: kind, credential }, null, 2)}\n`;
  }
  if (format === 'env') return envLines(kind, facts, credential);
  const fields = { ...facts, credential_kind: kind, ...credential };
  const width = Math.max(...Object.keys(fields).map((key) => key.length));
  return Object.entries(fields)
    .map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${flat(value)}\n`)
    .join('');
}

/** Writes a secret file readable by its owner only. */
export function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  // An existing file keeps its old mode on write: set it explicitly.
  chmodSync(path, 0o600);
}

/** OpenSSH's name for the certificate of `key.pub`: `key-cert.pub`. */
export function certificatePath(publicKeyPath: string): string {
  return `${publicKeyPath.replace(/\.pub$/, '')}-cert.pub`;
}

// Shell lines to `eval` or `source`. A Vault token also gets VAULT_ADDR and
// VAULT_TOKEN, the names the vault CLI reads.
function envLines(
  kind: string,
  facts: { grant_id: string; session_id: string; expires_at: string; vault_addr: string },
  credential: Record<string, unknown>,
): string {
  const variables: Record<string, unknown> = {
    JIT_GRANT_ID: facts.grant_id,
    JIT_SESSION_ID: facts.session_id,
    JIT_EXPIRES_AT: facts.expires_at,
  };
  for (const [key, value] of Object.entries(credential)) {
    variables[`JIT_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = value;
  }
  if (kind === 'vault-token' && typeof credential.token === 'string') {
    variables.VAULT_ADDR = facts.vault_addr;
    variables.VAULT_TOKEN = credential.token;
    if (typeof credential.namespace === 'string') variables.VAULT_NAMESPACE = credential.namespace;
  }
  return Object.entries(variables)
    .map(([name, value]) => `export ${name}=${shellQuote(flat(value))}\n`)
    .join('');
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function flat(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
