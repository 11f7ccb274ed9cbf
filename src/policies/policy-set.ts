/**
 * Loads the access profiles from `policies/profiles/<name>.yaml` and the
 * per-tenant overrides from `policies/tenants/<tenant>.yaml`, checks them all,
 * and refuses to start on the first problem with a message naming the file,
 * the key and the reason (`policies/profiles/admin.yaml: max_duration: ...`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { canonicalize } from 'json-canonicalize';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { AccessProfile } from './access-profile';
import { formatDuration } from './duration';
import {
  profileFileSchema,
  profileOverrideSchema,
  tenantFileSchema,
  vaultDetailsSchemas,
  type ProfileOverride,
} from './policy-schema';

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/;
const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

/** A policy file that cannot be used; the message names the file and key. */
export class PolicyError extends Error {
  constructor(file: string, key: string, reason: string) {
    super(`${file}: ${key ? `${key}: ` : ''}${reason}`);
    this.name = 'PolicyError';
  }
}

/** The loaded policies: every profile, as it applies to each tenant. */
export class PolicySet {
  constructor(
    /** SHA-256 (hex) of the canonical JSON of every file's content. */
    readonly hash: string,
    private readonly base: Map<string, AccessProfile>,
    private readonly overrides: Map<string, Map<string, ProfileOverride>>,
  ) {}

  /** The profile `name` with `tenant`'s override applied, if it exists. */
  profile(tenant: string, name: string): AccessProfile | undefined {
    const profile = this.base.get(name);
    if (!profile) return undefined;
    const override = this.overrides.get(tenant)?.get(name);
    return override ? applyOverride(profile, override) : profile;
  }

  /** Every profile as it applies to `tenant`, by name. */
  profiles(tenant: string): AccessProfile[] {
    return [...this.base.keys()].sort().map((name) => this.profile(tenant, name)!);
  }
}

/** Reads, checks and hashes the policy directory; throws PolicyError. */
export function loadPolicySet(dir: string): PolicySet {
  const profilesDir = join(dir, 'profiles');
  if (!existsSync(profilesDir)) {
    throw new PolicyError(display(profilesDir), '', 'the profiles folder is missing');
  }
  const content: { profiles: Record<string, unknown>; tenants: Record<string, unknown> } = {
    profiles: {},
    tenants: {},
  };

  const base = new Map<string, AccessProfile>();
  for (const [name, file] of yamlFiles(profilesDir)) {
    if (!PROFILE_NAME.test(name)) {
      throw new PolicyError(display(file), '', 'file name must be a lowercase profile name');
    }
    const raw = readYaml(file);
    content.profiles[name] = raw;
    base.set(name, toProfile(name, file, raw));
  }
  if (base.size === 0) throw new PolicyError(display(profilesDir), '', 'no profile is defined');

  const overrides = new Map<string, Map<string, ProfileOverride>>();
  const tenantsDir = join(dir, 'tenants');
  for (const [tenant, file] of existsSync(tenantsDir) ? yamlFiles(tenantsDir) : []) {
    if (!TENANT_SLUG.test(tenant)) {
      throw new PolicyError(display(file), '', 'file name must be a tenant slug');
    }
    const raw = readYaml(file);
    content.tenants[tenant] = raw;
    overrides.set(tenant, toOverrides(file, raw, base));
  }

  const hash = createHash('sha256').update(canonicalize(content)).digest('hex');
  return new PolicySet(hash, base, overrides);
}

function yamlFiles(dir: string): [string, string][] {
  return readdirSync(dir)
    .filter((entry) => entry.endsWith('.yaml') || entry.endsWith('.yml'))
    .sort()
    .map((entry) => [entry.replace(/\.ya?ml$/, ''), join(dir, entry)]);
}

function readYaml(file: string): unknown {
  try {
    // Plain YAML 1.2 core schema: no custom tags, no aliases blowing up in size.
    return parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 0 });
  } catch (error) {
    throw new PolicyError(display(file), '', `not valid YAML (${(error as Error).message})`);
  }
}

function toProfile(name: string, file: string, raw: unknown): AccessProfile {
  const parsed = check(profileFileSchema, raw, file, '');
  const common = {
    name,
    description: parsed.description,
    maxDurationSeconds: parsed.max_duration,
    approvalsRequired: parsed.approvals,
    stepUp: parsed.step_up,
    ticketRequired: parsed.ticket_required,
    singleSession: parsed.single_session,
  };
  switch (parsed.credential) {
    case 'vault-token': {
      const vault = check(vaultDetailsSchemas['vault-token'], parsed.vault, file, 'vault');
      return { ...common, credential: 'vault-token', vault };
    }
    case 'database': {
      const vault = check(vaultDetailsSchemas.database, parsed.vault, file, 'vault');
      return { ...common, credential: 'database', vault };
    }
    case 'ssh': {
      const vault = check(vaultDetailsSchemas.ssh, parsed.vault, file, 'vault');
      return { ...common, credential: 'ssh', vault };
    }
  }
}

function toOverrides(file: string, raw: unknown, base: Map<string, AccessProfile>) {
  const parsed = check(tenantFileSchema, raw, file, '');
  const result = new Map<string, ProfileOverride>();
  for (const [name, entry] of Object.entries(parsed.profiles)) {
    const profile = base.get(name);
    if (!profile) throw new PolicyError(display(file), `profiles.${name}`, 'no such profile');
    const override = check(profileOverrideSchema, entry, file, `profiles.${name}`);
    const looser = loosening(profile, override);
    if (looser) {
      throw new PolicyError(display(file), `profiles.${name}.${looser.key}`, looser.reason);
    }
    result.set(name, override);
  }
  return result;
}

// Overrides may only make a profile stricter: a tenant file that loosens one
// is refused at load, so a customer's stricter contract can never be undone
// by a typo in the wrong direction.
function loosening(profile: AccessProfile, o: ProfileOverride) {
  const stricter = 'may only make the profile stricter';
  if (o.max_duration !== undefined && o.max_duration > profile.maxDurationSeconds) {
    const limit = formatDuration(profile.maxDurationSeconds);
    return { key: 'max_duration', reason: `${stricter} (the profile allows at most ${limit})` };
  }
  if (o.approvals !== undefined && o.approvals < profile.approvalsRequired) {
    const needed = profile.approvalsRequired;
    return { key: 'approvals', reason: `${stricter} (the profile needs ${needed})` };
  }
  const flags = [
    ['step_up', o.step_up, profile.stepUp],
    ['ticket_required', o.ticket_required, profile.ticketRequired],
    ['single_session', o.single_session, profile.singleSession],
  ] as const;
  for (const [key, wanted, current] of flags) {
    if (wanted === false && current) return { key, reason: `${stricter} (it is on)` };
  }
  return undefined;
}

function applyOverride(profile: AccessProfile, o: ProfileOverride): AccessProfile {
  return {
    ...profile,
    maxDurationSeconds: o.max_duration ?? profile.maxDurationSeconds,
    approvalsRequired: o.approvals ?? profile.approvalsRequired,
    stepUp: o.step_up ?? profile.stepUp,
    ticketRequired: o.ticket_required ?? profile.ticketRequired,
    singleSession: o.single_session ?? profile.singleSession,
  };
}

function check<T extends z.ZodType>(schema: T, raw: unknown, file: string, prefix: string) {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data as z.output<T>;
  const issue = parsed.error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys') path.push(issue.keys[0]!);
  const reason = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
  return failWith(file, path.filter(Boolean).join('.'), reason);
}

function failWith(file: string, key: string, reason: string): never {
  throw new PolicyError(display(file), key, reason);
}

// Paths in messages are relative to the working directory, so that they read
// `policies/profiles/admin.yaml` and never show where the broker is installed.
function display(path: string): string {
  return relative(process.cwd(), path) || path;
}
