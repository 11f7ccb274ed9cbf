/**
 * Delivery by response wrapping: the credential goes into Vault's cubbyhole
 * behind a single-use token with a short TTL, and only that token leaves the
 * broker. A second unwrap fails, which shows interception.
 * See https://developer.hashicorp.com/vault/api-docs/system/wrapping-wrap
 */
import type { VaultClient } from './vault-client';

/** What checkout hands the technician: never the credential itself. */
export interface WrappedCredential {
  token: string;
  accessor: string;
  ttl: number;
  /** The namespace to unwrap in, where one applies. */
  namespace?: string;
}

/** Wraps `secret` for `ttlSeconds`, in the tenant's namespace when there is one. */
export async function wrapCredential(
  client: VaultClient,
  secret: Record<string, unknown>,
  ttlSeconds: number,
  namespace?: string,
): Promise<WrappedCredential> {
  const answer = await client.call('POST', 'sys/wrapping/wrap', secret, {
    namespace,
    headers: { 'X-Vault-Wrap-TTL': `${ttlSeconds}s` },
  });
  const info = answer!.wrap_info as { token: string; accessor: string; ttl: number };
  return {
    token: info.token,
    accessor: info.accessor,
    ttl: info.ttl,
    ...(namespace ? { namespace } : {}),
  };
}

/**
 * Unwraps a wrapping token once, authenticating with the wrapping token
 * itself as Vault allows, and returns the wrapped data.
 */
export async function unwrapCredential(
  client: VaultClient,
  token: string,
  namespace?: string,
): Promise<Record<string, unknown>> {
  const answer = await client.call('POST', 'sys/wrapping/unwrap', {}, { namespace, token });
  return (answer!.data ?? {}) as Record<string, unknown>;
}
