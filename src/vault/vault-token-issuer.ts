/**
 * `vault-token` credentials: an orphan token from the tenant's token role,
 * carrying the profile's policies for that tenant, with TTL and
 * explicit_max_ttl both equal to the grant's duration and not renewable, so
 * Vault ends it on time even if the broker is gone. The role (orphan=true)
 * makes it an orphan: it does not die with the broker's own token, and needs
 * no sudo as `no_parent` would. Revoked by accessor.
 * See https://developer.hashicorp.com/vault/api-docs/auth/token#create-token
 */
import { AppError } from '../platform/errors';
import type {
  CredentialIssuer,
  CredentialRef,
  IssueInput,
  IssuedCredential,
} from './credential-issuer';
import { tenantPaths, tenantPolicies, type TenantPathSettings } from './tenant-paths';
import type { VaultClient } from './vault-client';
import { isAlreadyGone } from './already-gone';

/** Issues and revokes tenant-scoped Vault tokens. */
export class VaultTokenIssuer implements CredentialIssuer {
  readonly kind = 'vault-token' as const;

  constructor(
    private readonly client: VaultClient,
    private readonly settings: TenantPathSettings,
  ) {}

  async issue(input: IssueInput): Promise<IssuedCredential> {
    if (input.profile.credential !== 'vault-token') {
      throw new AppError('credential.wrong_kind', 500, 'Profile is not a vault-token profile');
    }
    const paths = tenantPaths(this.settings, input.tenant);
    const policies = tenantPolicies(input.profile.vault.policies, input.tenant);
    const ttl = `${input.ttlSeconds}s`;
    const answer = await this.client.call(
      'POST',
      `auth/token/create/${paths.tokenRole}`,
      {
        policies,
        ttl,
        explicit_max_ttl: ttl,
        renewable: false,
        display_name: `grant-${input.grantId}`,
        meta: {
          grant_id: input.grantId,
          tenant: input.tenant,
          technician_id: input.technicianId,
          technician_email: input.technicianEmail,
          profile: input.profile.name,
        },
      },
      { namespace: paths.namespace },
    );
    const auth = answer!.auth as { client_token: string; accessor: string; lease_duration: number };
    // Invariant 2: never hand out a token that outlives its grant.
    if (!(auth.lease_duration > 0) || auth.lease_duration > input.ttlSeconds) {
      await this.revoke({ tenant: input.tenant, accessor: auth.accessor });
      throw new AppError('vault.denied', 502, 'Vault refused the operation', {
        reason: 'token ttl exceeds grant',
        lease_duration: auth.lease_duration,
      });
    }
    return {
      kind: this.kind,
      accessor: auth.accessor,
      expiresAt: new Date(Date.now() + auth.lease_duration * 1000),
      secret: {
        token: auth.client_token,
        accessor: auth.accessor,
        policies,
        ttl: auth.lease_duration,
        ...(paths.namespace ? { namespace: paths.namespace } : {}),
      },
    };
  }

  async revoke(ref: CredentialRef): Promise<'revoked' | 'already_gone'> {
    if (!ref.accessor) return 'already_gone';
    const paths = tenantPaths(this.settings, ref.tenant);
    try {
      await this.client.call(
        'POST',
        'auth/token/revoke-accessor',
        { accessor: ref.accessor },
        { namespace: paths.namespace },
      );
      return 'revoked';
    } catch (error) {
      if (isAlreadyGone(error)) return 'already_gone';
      throw error;
    }
  }
}
