/**
 * A plain-fetch client for a stand-in under test, so its HTTP answers are
 * checked without anything of the broker's Vault client. Requests go as root
 * unless the headers name another token.
 */
import { VaultStandin } from '../../src/vault-standin/standin-server';
import { manualClock } from '../vault/vault-fixture';

/** Calls `/v1/<path>` on a stand-in; answers the status and the parsed JSON body. */
export type StandinApi = ReturnType<typeof standinFetch>;

/**
 * A stand-in on a clock the tests move by hand, started before the file's
 * tests (then `setup` runs) and stopped after them.
 */
export function useStandin(setup?: (api: StandinApi) => Promise<void>) {
  const clock = manualClock();
  let standin: VaultStandin | undefined;
  beforeAll(async () => {
    standin = await new VaultStandin({ clock, quiet: true }).start();
    await setup?.(standinFetch(standin));
  });
  afterAll(() => standin?.stop());
  return {
    clock,
    standin: () => standin!,
    api: ((...args) => standinFetch(standin!)(...args)) as StandinApi,
  };
}

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

/**
 * Puts a `maker` policy (create tokens, read credentials under each of
 * `mounts`) and an `orphans` token role that makes orphan tokens with it.
 */
export async function allowTokenMaking(api: StandinApi, mounts: string[]) {
  const policy = [
    'path "auth/token/create" { capabilities = ["update"] }',
    'path "auth/token/create/*" { capabilities = ["update"] }',
    ...mounts.map((mount) => `path "${mount}/creds/*" { capabilities = ["read"] }`),
  ].join('\n');
  await api('PUT', 'sys/policies/acl/maker', { policy });
  await api('POST', 'auth/token/roles/orphans', { allowed_policies: 'maker', orphan: true });
}
