/**
 * The `/readyz` check for Vault: ready when sys/health says initialized and
 * unsealed. See https://developer.hashicorp.com/vault/api-docs/system/health
 */
import type { ReadinessCheck } from '../health/health-routes';
import type { VaultClient } from './vault-client';

/** A readiness check over the client's Vault. */
export function vaultReadiness(client: VaultClient): ReadinessCheck {
  return async () => {
    const health = await client.health();
    return health.initialized === true && health.sealed === false;
  };
}
