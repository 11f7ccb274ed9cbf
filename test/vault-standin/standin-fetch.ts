/**
 * A plain-fetch client for a stand-in under test, so its HTTP answers are
 * checked without anything of the broker's Vault client. Requests go as root
 * unless the headers name another token.
 */
import type { VaultStandin } from '../../src/vault-standin/standin-server';

/** Calls `/v1/<path>` on the stand-in; answers the status and the parsed JSON body. */
export function standinFetch(standin: VaultStandin) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${standin.url}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': standin.rootToken, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Headers that send `token` instead of root (none: root). */
export function asToken(token: string | undefined): Record<string, string> {
  return token ? { 'X-Vault-Token': token } : {};
}
