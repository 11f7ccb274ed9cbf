/**
 * Vault ACL policies rendered from `policies/vault/*.hcl`. `broker.hcl` is the
 * broker's own policy; every other file is a tenant policy named
 * `<tenant>-<file name>` (so `read-only.hcl` becomes `acme-read-only`), which
 * vault-token profiles name as `{tenant}-read-only`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TenantPathSettings } from './tenant-paths';

/** The broker policy's name in Vault. */
export const BROKER_POLICY = 'jit-broker';

/** The default folder of the templates, relative to the working directory. */
export const POLICY_DIR = join('policies', 'vault');

/** A rendered policy. */
export interface RenderedPolicy {
  name: string;
  hcl: string;
}

/** The tenant policies for one tenant, rendered with its path. */
export function tenantPolicyDocuments(dir: string, tenant: string, base: string): RenderedPolicy[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.hcl') && file !== 'broker.hcl')
    .sort()
    .map((file) => ({
      name: `${tenant}-${basename(file, '.hcl')}`,
      hcl: readFileSync(join(dir, file), 'utf8').replaceAll('{{tenant_path}}', base),
    }));
}

/** The broker policy, covering every tenant through `+` globs. */
export function brokerPolicyDocument(dir: string, settings: TenantPathSettings): RenderedPolicy {
  const glob = (template: string) => template.replaceAll('{tenant}', '+').replace(/^\/+|\/+$/g, '');
  const ns = settings.namespace ? `${glob(settings.namespace)}/` : '';
  const hcl = readFileSync(join(dir, 'broker.hcl'), 'utf8')
    .replaceAll('{{ns}}', ns)
    .replaceAll('{{tenant_path}}', glob(settings.tenantPath));
  return { name: BROKER_POLICY, hcl };
}
