/**
 * Where a tenant lives in Vault. `VAULT_TENANT_PATH` (default
 * `customers/{tenant}`) gives the mount prefix; with `VAULT_NAMESPACE` set
 * (Vault Enterprise) the same paths sit inside the tenant's own namespace,
 * sent as `X-Vault-Namespace`. Names used by setup and the issuers alike:
 * - mounts `<tenant path>/database`, `<tenant path>/ssh`, `<tenant path>/kv` (KV v2);
 * - token role `jit-<tenant>` (orphan, not renewable);
 * - ACL policies `<tenant>-<template>` from `policies/vault/<template>.hcl`.
 */
import { AppError } from '../platform/errors';

/** The tenant placement settings, as in `Config['vault']`. */
export interface TenantPathSettings {
  tenantPath: string;
  namespace: string | undefined;
}

/** One tenant's Vault names. */
export interface TenantVaultPaths {
  tenant: string;
  /** The namespace to send, or undefined outside Vault Enterprise namespaces. */
  namespace: string | undefined;
  base: string;
  database: string;
  ssh: string;
  kv: string;
  tokenRole: string;
}

// Same rule as the tenants table: a slug can never carry `/`, `..` or `{`.
const SLUG = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

/** The Vault paths of a tenant; throws for anything that is not a tenant slug. */
export function tenantPaths(settings: TenantPathSettings, tenant: string): TenantVaultPaths {
  if (!SLUG.test(tenant)) {
    throw new AppError('vault.bad_tenant', 500, 'Invalid tenant for Vault', { tenant });
  }
  const base = settings.tenantPath.replaceAll('{tenant}', tenant).replace(/^\/+|\/+$/g, '');
  return {
    tenant,
    namespace: settings.namespace?.replaceAll('{tenant}', tenant).replace(/^\/+|\/+$/g, ''),
    base,
    database: `${base}/database`,
    ssh: `${base}/ssh`,
    kv: `${base}/kv`,
    tokenRole: `jit-${tenant}`,
  };
}

/** A profile's policy names for a tenant: `{tenant}` replaced by the slug. */
export function tenantPolicies(policies: string[], tenant: string): string[] {
  return policies.map((name) => name.replaceAll('{tenant}', tenant));
}
