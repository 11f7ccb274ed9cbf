/**
 * Configures a Vault for the broker, idempotently: the broker's AppRole and
 * policy, and for each tenant its namespace (if any), mounts, ACL policies
 * from `policies/vault/`, token role, database roles and SSH CA and role.
 * Run by scripts/vault-setup.ts against a real Vault, and by development
 * start against the stand-in. Needs a token allowed to do all this (root or
 * an operator's admin token).
 */
import { AppError } from '../platform/errors';
import { BROKER_POLICY, brokerPolicyDocument, tenantPolicyDocuments } from './policy-templates';
import { tenantPaths, type TenantPathSettings } from './tenant-paths';
import type { VaultClient } from './vault-client';

/** The AppRole the broker logs in with. */
export const BROKER_APPROLE = 'jit-broker';

/** What the tenant setup needs beyond the path settings. */
export interface TenantSetupOptions {
  policyDir: string;
  /** Longest grant any profile allows: the token role's and engines' max TTL. */
  maxTtl: string;
  /** The tenant's database connection; the database engine is left unconfigured without it. */
  database?: { plugin: string; connectionUrl: string; username: string; password: string };
}

// "Already there" answers that make a second run a no-op.
function tolerateExisting(error: unknown) {
  const messages = (error instanceof AppError && (error.detail?.vault_errors as string[])) || [];
  if (messages.some((m) => /already in use|already configured|already exists/i.test(m))) return;
  throw error;
}

/** The broker's policy and AppRole; returns the role id and a fresh secret id. */
export async function setupBroker(
  admin: VaultClient,
  settings: TenantPathSettings,
  policyDir: string,
) {
  await admin.call('POST', 'sys/auth/approle', { type: 'approle' }).catch(tolerateExisting);
  const policy = brokerPolicyDocument(policyDir, settings);
  await admin.call('PUT', `sys/policies/acl/${policy.name}`, { policy: policy.hcl });
  // A periodic token: renewable without end while the broker lives, and the
  // leases it creates (database credentials) are not cut short by a max TTL.
  // LIMITATION: Vault ties a lease to the token that created it, so if the
  // broker's token is lost (secret id revoked, renewal failing for a whole
  // period) the live database credentials it issued are revoked with it:
  // technicians lose access early (never late) and must check out again.
  await admin.call('POST', `auth/approle/role/${BROKER_APPROLE}`, {
    token_policies: [BROKER_POLICY],
    token_period: '1h',
    secret_id_ttl: '0',
  });
  const roleId = await admin.call('GET', `auth/approle/role/${BROKER_APPROLE}/role-id`);
  const secretId = await admin.call('POST', `auth/approle/role/${BROKER_APPROLE}/secret-id`, {});
  return { roleId: roleId!.data.role_id as string, secretId: secretId!.data.secret_id as string };
}

/** Everything one tenant needs in Vault. */
export async function setupTenant(
  admin: VaultClient,
  settings: TenantPathSettings,
  tenant: string,
  options: TenantSetupOptions,
) {
  const paths = tenantPaths(settings, tenant);
  if (paths.namespace) {
    let parent = '';
    for (const part of paths.namespace.split('/')) {
      await admin.call('POST', `sys/namespaces/${part}`, {}, { namespace: parent || undefined });
      parent = parent ? `${parent}/${part}` : part;
    }
  }
  const ns = { namespace: paths.namespace };
  const mounts: [string, Record<string, unknown>][] = [
    [paths.database, { type: 'database' }],
    [paths.ssh, { type: 'ssh' }],
    [paths.kv, { type: 'kv', options: { version: '2' } }],
  ];
  for (const [path, body] of mounts) {
    await admin.call('POST', `sys/mounts/${path}`, body, ns).catch(tolerateExisting);
  }

  const policies = tenantPolicyDocuments(options.policyDir, tenant, paths.base);
  for (const policy of policies) {
    await admin.call('PUT', `sys/policies/acl/${policy.name}`, { policy: policy.hcl }, ns);
  }
  await admin.call(
    'POST',
    `auth/token/roles/${paths.tokenRole}`,
    {
      allowed_policies: policies.map((p) => p.name),
      orphan: true,
      renewable: false,
      token_explicit_max_ttl: options.maxTtl,
    },
    ns,
  );

  await setupDatabase(admin, paths.database, tenant, options, ns);
  await admin
    .call(
      'POST',
      `${paths.ssh}/config/ca`,
      { generate_signing_key: true, key_type: 'ssh-ed25519' },
      ns,
    )
    .catch(tolerateExisting);
  await admin.call(
    'POST',
    `${paths.ssh}/roles/technician`,
    {
      key_type: 'ca',
      allow_user_certificates: true,
      // Principals are chosen by the broker's profiles; the CA is the tenant's own.
      allowed_users: '*',
      allow_user_key_ids: true,
      default_extensions: { 'permit-pty': '' },
      ttl: '1h',
      max_ttl: options.maxTtl,
      // No backdating: the certificate's validity is exactly the grant's.
      not_before_duration: '0s',
    },
    ns,
  );
  return { policies: policies.map((p) => p.name), paths };
}

async function setupDatabase(
  admin: VaultClient,
  mount: string,
  tenant: string,
  options: TenantSetupOptions,
  ns: { namespace?: string },
) {
  if (!options.database) return;
  const db = options.database;
  await admin.call(
    'POST',
    `${mount}/config/${tenant}`,
    {
      plugin_name: db.plugin,
      connection_url: db.connectionUrl,
      username: db.username,
      password: db.password,
      allowed_roles: ['readonly', 'admin'],
    },
    ns,
  );
  const grants = {
    readonly: 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";',
    admin: 'GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO "{{name}}";',
  };
  for (const [role, grant] of Object.entries(grants)) {
    await admin.call(
      'POST',
      `${mount}/roles/${role}`,
      {
        db_name: tenant,
        creation_statements: [
          `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
          grant,
        ],
        default_ttl: '1h',
        max_ttl: options.maxTtl,
      },
      ns,
    );
  }
}
