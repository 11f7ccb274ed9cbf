/**
 * `ssh` credentials: the technician's public key signed by the tenant's SSH
 * CA for the profile's principals, with TTL = the grant's duration. The
 * certificate's key id names grant, technician and tenant, so sshd's log
 * names them too.
 * See https://developer.hashicorp.com/vault/api-docs/secret/ssh#sign-ssh-key
 */
import { AppError, badRequest } from '../platform/errors';
import type {
  CredentialIssuer,
  CredentialRef,
  IssueInput,
  IssuedCredential,
} from './credential-issuer';
import { tenantPaths, type TenantPathSettings } from './tenant-paths';
import type { VaultClient } from './vault-client';

const PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256) [A-Za-z0-9+/]+={0,2}( [^\r\n]*)?$/;

/** Signs technicians' SSH keys. */
export class SshIssuer implements CredentialIssuer {
  readonly kind = 'ssh' as const;

  constructor(
    private readonly client: VaultClient,
    private readonly settings: TenantPathSettings,
  ) {}

  async issue(input: IssueInput): Promise<IssuedCredential> {
    if (input.profile.credential !== 'ssh') {
      throw new AppError('credential.wrong_kind', 500, 'Profile is not an ssh profile');
    }
    const publicKey = input.publicKey?.trim();
    if (!publicKey || !PUBLIC_KEY.test(publicKey)) {
      throw badRequest('credential.public_key_invalid', 'An OpenSSH public key is required');
    }
    const paths = tenantPaths(this.settings, input.tenant);
    const principals = input.profile.vault.principals;
    const answer = await this.client.call(
      'POST',
      `${paths.ssh}/sign/${input.profile.vault.role}`,
      {
        public_key: publicKey,
        valid_principals: principals.join(','),
        ttl: `${input.ttlSeconds}s`,
        cert_type: 'user',
        key_id: `jit grant=${input.grantId} technician=${input.technicianEmail} tenant=${input.tenant}`,
      },
      { namespace: paths.namespace },
    );
    const data = answer!.data as { serial_number: string; signed_key: string };
    return {
      kind: this.kind,
      serial: data.serial_number,
      expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
      secret: { signed_key: data.signed_key, serial_number: data.serial_number, principals },
    };
  }

  // LIMITATION: Vault cannot revoke an SSH certificate before its end (OpenSSH
  // has no online revocation check); its TTL, equal to the grant's, is the
  // bound. Revoking an ssh grant ends it in the broker at once, but a
  // technician who already holds the certificate can log in until it expires.
  async revoke(_ref: CredentialRef): Promise<'revoked' | 'already_gone'> {
    return 'already_gone';
  }
}
