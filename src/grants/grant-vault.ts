/**
 * What grants need from Vault, in one small interface: the issuers, and
 * response wrapping (Vault API: sys/wrapping/wrap and sys/wrapping/unwrap).
 * src/vault implements it over node-vault.
 */
import type { CredentialKind } from '../policies/access-profile';
import type { CredentialIssuer } from '../vault/credential-issuer';

/** A response-wrapping token and its TTL in seconds. */
export interface WrappedSecret {
  token: string;
  ttl: number;
}

/** Vault as the grant flow sees it. */
export interface GrantVault {
  issuers: Record<CredentialKind, CredentialIssuer>;
  /** Wraps `secret` in a single-use token living `ttlSeconds`, in the tenant's namespace. */
  wrap(tenant: string, secret: Record<string, unknown>, ttlSeconds: number): Promise<WrappedSecret>;
  /** Unwraps a token once; Vault refuses a second unwrap. */
  unwrap(tenant: string, token: string): Promise<Record<string, unknown>>;
  /** The Vault address technicians unwrap at. */
  publicAddr: string;
  /** The tenant's Vault Enterprise namespace, when namespaces are used. */
  namespaceFor(tenant: string): string | undefined;
}
