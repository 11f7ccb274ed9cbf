/**
 * Access profiles for the credential tests, named as the README's Vault
 * section agrees with the policy files: `{tenant}-read-only`, database role
 * `readonly`, SSH role `technician`.
 */
import type { AccessProfile } from '../../src/policies/access-profile';

const common = {
  description: 'test profile',
  maxDurationSeconds: 4 * 3600,
  approvalsRequired: 0,
  stepUp: false,
  ticketRequired: false,
  singleSession: false,
};

/** A vault-token profile reading the tenant's KV secrets. */
export const readOnlyProfile: AccessProfile = {
  ...common,
  name: 'read-only',
  credential: 'vault-token',
  vault: { policies: ['{tenant}-read-only'] },
};

/** A database profile on the tenant's `readonly` role. */
export const databaseProfile: AccessProfile = {
  ...common,
  name: 'db-readonly',
  credential: 'database',
  vault: { role: 'readonly' },
};

/** An SSH profile signing for two principals. */
export const sshProfile: AccessProfile = {
  ...common,
  name: 'ssh',
  credential: 'ssh',
  vault: { role: 'technician', principals: ['ubuntu', 'ops'] },
};
