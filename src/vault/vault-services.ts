/**
 * Everything Vault-side the grant flow needs, built from the configuration:
 * the client, one issuer per credential kind, wrapping, readiness and stop.
 * Grants call `issuers[profile.credential].issue(...)`, then `wrap(...)` at
 * checkout, and `issuers[kind].revoke(...)` on revocation or expiry.
 */
import type { Config } from '../platform/config';
import type { CredentialKind } from '../policies/access-profile';
import type { CredentialIssuer } from './credential-issuer';
import { unwrapCredential, wrapCredential, type WrappedCredential } from './credential-wrap';
import { DatabaseIssuer } from './database-issuer';
import { SshIssuer } from './ssh-issuer';
import { tenantPaths } from './tenant-paths';
import { VaultClient, type VaultClientOptions } from './vault-client';
import { vaultReadiness } from './vault-readiness';
import { VaultTokenIssuer } from './vault-token-issuer';

/** The Vault services of one broker process. */
export interface VaultServices {
  client: VaultClient;
  issuers: Record<CredentialKind, CredentialIssuer>;
  /** Wraps a credential for one tenant; only the wrapping token leaves the broker. */
  wrap(
    tenant: string,
    secret: Record<string, unknown>,
    ttlSeconds: number,
  ): Promise<WrappedCredential>;
  /** Unwraps a token once (the grant flow's parked credentials); a second time is vault.denied. */
  unwrap(tenant: string, token: string): Promise<Record<string, unknown>>;
  /** The Vault address technicians unwrap at. */
  publicAddr: string;
  /** The tenant's Vault Enterprise namespace, when namespaces are used. */
  namespaceFor(tenant: string): string | undefined;
  /** Readiness check for /readyz. */
  ready(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Builds the services from `config.vault`; `connection` overrides the address
 * and credentials (the development stand-in passes its own).
 */
export function createVaultServices(
  config: Pick<Config, 'vault'>,
  connection: Partial<VaultClientOptions> & { publicAddr?: string } = {},
): VaultServices {
  const addr = connection.addr ?? config.vault.addr;
  if (!addr) throw new Error('VAULT_ADDR is not set');
  const client = new VaultClient({
    addr,
    token: connection.token ?? config.vault.token,
    roleId: connection.roleId ?? config.vault.roleId,
    secretId: connection.secretId ?? config.vault.secretId,
    timeoutMs: connection.timeoutMs,
  });
  const settings = config.vault;
  return {
    client,
    issuers: {
      'vault-token': new VaultTokenIssuer(client, settings),
      database: new DatabaseIssuer(client, settings),
      ssh: new SshIssuer(client, settings),
    },
    wrap: (tenant, secret, ttlSeconds) =>
      wrapCredential(client, secret, ttlSeconds, tenantPaths(settings, tenant).namespace),
    unwrap: (tenant, token) =>
      unwrapCredential(client, token, tenantPaths(settings, tenant).namespace),
    publicAddr: connection.publicAddr ?? addr,
    namespaceFor: (tenant) => tenantPaths(settings, tenant).namespace,
    ready: vaultReadiness(client),
    stop: async () => client.stop(),
  };
}
