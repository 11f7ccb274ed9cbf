/**
 * `database` credentials: dynamic username and password from the tenant's
 * database secrets engine role. Vault gives the lease the role's default TTL,
 * so the issuer renews it at once with `increment` = the grant's duration,
 * which sets the lease to end with the grant (Vault caps it at the role's
 * max_ttl). Revoked by lease id.
 * See https://developer.hashicorp.com/vault/api-docs/secret/databases#generate-credentials
 * and https://developer.hashicorp.com/vault/api-docs/system/leases#renew-lease
 */
import { AppError } from '../platform/errors';
import type {
  CredentialIssuer,
  CredentialRef,
  IssueInput,
  IssuedCredential,
} from './credential-issuer';
import { isAlreadyGone } from './already-gone';
import { tenantPaths, type TenantPathSettings } from './tenant-paths';
import type { VaultClient } from './vault-client';

/** Issues and revokes dynamic database credentials. */
export class DatabaseIssuer implements CredentialIssuer {
  readonly kind = 'database' as const;

  constructor(
    private readonly client: VaultClient,
    private readonly settings: TenantPathSettings,
  ) {}

  async issue(input: IssueInput): Promise<IssuedCredential> {
    if (input.profile.credential !== 'database') {
      throw new AppError('credential.wrong_kind', 500, 'Profile is not a database profile');
    }
    const paths = tenantPaths(this.settings, input.tenant);
    const ns = { namespace: paths.namespace };
    // LIMITATION: the database secrets engine takes no per-request metadata, so
    // Vault's side names the grant only through the lease id the broker records;
    // an operator reading Vault alone sees the broker's token, not the technician.
    const creds = await this.client.call(
      'GET',
      `${paths.database}/creds/${input.profile.vault.role}`,
      undefined,
      ns,
    );
    const leaseId = creds!.lease_id as string;
    let duration: number;
    try {
      const renewed = await this.client.call(
        'PUT',
        'sys/leases/renew',
        { lease_id: leaseId, increment: input.ttlSeconds },
        ns,
      );
      duration = renewed!.lease_duration as number;
      if (!(duration > 0) || duration > input.ttlSeconds) {
        throw new AppError('vault.denied', 502, 'Vault refused the operation', {
          reason: 'lease ttl exceeds grant',
          lease_duration: duration,
        });
      }
    } catch (error) {
      // Fail closed: credentials that could outlive the grant are revoked at once.
      await this.revoke({ tenant: input.tenant, leaseId }).catch(() => undefined);
      throw error;
    }
    const data = creds!.data as { username: string; password: string };
    return {
      kind: this.kind,
      leaseId,
      expiresAt: new Date(Date.now() + duration * 1000),
      secret: {
        username: data.username,
        password: data.password,
        lease_id: leaseId,
        ttl: duration,
      },
    };
  }

  async revoke(ref: CredentialRef): Promise<'revoked' | 'already_gone'> {
    if (!ref.leaseId) return 'already_gone';
    const ns = { namespace: tenantPaths(this.settings, ref.tenant).namespace };
    // Vault answers 204 to revoking an unknown lease, so ask first whether it exists.
    try {
      await this.client.call('PUT', 'sys/leases/lookup', { lease_id: ref.leaseId }, ns);
    } catch (error) {
      if (isAlreadyGone(error)) return 'already_gone';
      throw error;
    }
    await this.client.call('PUT', 'sys/leases/revoke', { lease_id: ref.leaseId }, ns);
    return 'revoked';
  }
}
