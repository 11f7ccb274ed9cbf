/**
 * The broker's configuration: every variable is read here, once, and checked
 * with zod before anything starts. Names follow DESIGN.md section 10 so that
 * operators' deployment files stay valid across versions.
 *
 * Development and test runs get embedded defaults so that `npm start` works on
 * a fresh machine; production refuses every one of those defaults.
 */
import { z } from 'zod';

/** Secrets that only development and tests may use. Production refuses them. */
export const DEV_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
export const DEV_HOOK_SECRET = 'development-only-hook-secret';
// A 32-byte AES key in base64 under key id "dev".
export const DEV_TOTP_KEY = 'dev:ZGV2ZWxvcG1lbnQtb25seS10b3RwLWtleS0zMmJ5dGU=';

const duration = z
  .string()
  .regex(/^\d+$/, 'must be a whole number of seconds')
  .transform(Number)
  .refine((n) => n > 0, 'must be positive');

const totpKeys = z
  .string()
  .transform((value, ctx) => {
    const keys = value.split(',').map((entry) => {
      const [id, material] = entry.trim().split(':');
      const key = Buffer.from(material ?? '', 'base64');
      if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || key.length !== 32) {
        ctx.addIssue({ code: 'custom', message: 'each entry must be <key id>:<32 bytes base64>' });
      }
      return { id: id ?? '', key };
    });
    return keys;
  })
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must differ');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  VAULT_ADDR: z.url({ protocol: /^https?$/ }).optional(),
  VAULT_TOKEN: z.string().min(1).optional(),
  VAULT_ROLE_ID: z.string().min(1).optional(),
  VAULT_SECRET_ID: z.string().min(1).optional(),
  VAULT_TENANT_PATH: z
    .string()
    .refine((t) => t.includes('{tenant}'), 'must contain {tenant}')
    .default('customers/{tenant}'),
  VAULT_NAMESPACE: z
    .string()
    .refine((t) => t.includes('{tenant}'), 'must contain {tenant}')
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_KEY_FILE: z.string().min(1).optional(),
  TOTP_ENCRYPTION_KEY: totpKeys.optional(),
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  HOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  ACCESS_TOKEN_TTL: duration.default(900),
  STEP_UP_MAX_AGE: duration.default(300),
  REQUEST_PENDING_TTL: duration.default(3 * 3600),
  SHUTDOWN_TIMEOUT: duration.default(10),
  LOGIN_SESSION_TTL: duration.default(12 * 3600),
  LOGIN_CHALLENGE_TTL: duration.default(300),
  ENROLLMENT_TOKEN_TTL: duration.default(72 * 3600),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOCKOUT_BASE: duration.default(60),
  LOCKOUT_MAX: duration.default(3600),
  AUTH_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
  AUTH_RATE_WINDOW: duration.default(60),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'must look like 64kb')
    .default('64kb'),
  POLICY_DIR: z.string().min(1).default('policies'),
  NOTIFY_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  NOTIFY_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JOB_WORKER: z.enum(['on', 'off']).default('on'),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(16),
  JOB_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60000).default(2000),
  JOB_LOCK_TIMEOUT: duration.default(300),
  REVOCATION_RETRY_MAX: duration.default(300),
  REVOCATION_OVERDUE_AFTER: duration.default(300),
  METRICS_PUBLIC: z.enum(['true', 'false']).default('false'),
});

type Env = z.infer<typeof schema>;

/** The checked configuration the rest of the broker reads. */
export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  /** Unset in development and tests: an embedded PostgreSQL is started. */
  databaseUrl: string | undefined;
  /** Where development keeps its database, keys and the like. */
  dataDir: string;
  vault: {
    /** Unset in development: the Vault stand-in is started instead. */
    addr: string | undefined;
    token: string | undefined;
    roleId: string | undefined;
    secretId: string | undefined;
    tenantPath: string;
    namespace: string | undefined;
  };
  jwt: { secret: string | undefined; keyFile: string | undefined };
  /** TOTP secret encryption keys; the first one encrypts, all of them decrypt. */
  totpKeys: { id: string; key: Buffer }[];
  /** Ed25519 private key (PEM or base64 PKCS#8); unset in development. */
  auditSigningKey: string | undefined;
  hookSecret: string;
  /** Folder of the access policies (profiles/ and tenants/). */
  policyDir: string;
  /** Where request notifications go (HMAC-signed), if anywhere. */
  notifyWebhook: { url: string; secret: string } | undefined;
  logLevel: Env['LOG_LEVEL'];
  publicUrl: string;
  accessTokenTtl: number;
  stepUpMaxAge: number;
  requestPendingTtl: number;
  shutdownTimeout: number;
  bodyLimit: string;
  /** Absolute lifetime of a login session (seconds); refresh never goes past it. */
  loginSessionTtl: number;
  /** Seconds between the password step and the code step of sign-in. */
  loginChallengeTtl: number;
  /** Seconds an enrollment token stays usable. */
  enrollmentTokenTtl: number;
  /** Consecutive failed sign-ins that lock an account (at most 100). */
  loginMaxFailures: number;
  /** First lockout in seconds; doubles with each further failure. */
  lockoutBase: number;
  /** Longest lockout in seconds. */
  lockoutMax: number;
  /** Sign-in and enrollment requests allowed per client address per window. */
  authRateLimit: number;
  /** The rate limit's window in seconds. */
  authRateWindow: number;
  /** Background jobs (graphile-worker) run by this process. */
  jobs: {
    /** Off for API-only processes: another process runs the jobs. */
    enabled: boolean;
    /** Jobs run at once (Vault revocations in flight). */
    concurrency: number;
    /** Milliseconds between polls for jobs scheduled in the future. */
    pollIntervalMs: number;
    /** Seconds after which a job still locked is taken to be held by a dead process. */
    lockTimeout: number;
  };
  revocation: {
    /** Longest wait between two attempts of a failing Vault revocation (seconds). */
    retryMax: number;
    /** A revocation not confirmed by Vault after this many seconds is reported overdue. */
    overdueAfter: number;
  };
  /** Serve GET /metrics without authentication (for a scraper on a private network). */
  metricsPublic: boolean;
}

/** A configuration problem, naming every variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the configuration from an environment (process.env by default).
 * Throws ConfigError listing each bad variable; production also refuses the
 * development defaults and insists on the secrets that have none.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(pickKnown(source));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  if (env.NOTIFY_WEBHOOK_URL && !env.NOTIFY_WEBHOOK_SECRET) {
    throw new ConfigError(['NOTIFY_WEBHOOK_SECRET: required when NOTIFY_WEBHOOK_URL is set']);
  }
  if (env.NODE_ENV === 'production') {
    const problems = productionProblems(env);
    if (problems.length > 0) throw new ConfigError(problems);
  }

  const isDev = env.NODE_ENV !== 'production';
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    vault: {
      addr: env.VAULT_ADDR,
      token: env.VAULT_TOKEN,
      roleId: env.VAULT_ROLE_ID,
      secretId: env.VAULT_SECRET_ID,
      tenantPath: env.VAULT_TENANT_PATH,
      namespace: env.VAULT_NAMESPACE,
    },
    jwt: {
      secret: env.JWT_SECRET ?? (isDev && !env.JWT_KEY_FILE ? DEV_JWT_SECRET : undefined),
      keyFile: env.JWT_KEY_FILE,
    },
    totpKeys: env.TOTP_ENCRYPTION_KEY ?? totpKeys.parse(DEV_TOTP_KEY),
    auditSigningKey: env.AUDIT_SIGNING_KEY,
    hookSecret: env.HOOK_SECRET ?? DEV_HOOK_SECRET,
    policyDir: env.POLICY_DIR,
    notifyWebhook: env.NOTIFY_WEBHOOK_URL
      ? { url: env.NOTIFY_WEBHOOK_URL, secret: env.NOTIFY_WEBHOOK_SECRET ?? '' }
      : undefined,
    logLevel: env.LOG_LEVEL,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    accessTokenTtl: env.ACCESS_TOKEN_TTL,
    stepUpMaxAge: env.STEP_UP_MAX_AGE,
    requestPendingTtl: env.REQUEST_PENDING_TTL,
    shutdownTimeout: env.SHUTDOWN_TIMEOUT,
    bodyLimit: env.BODY_LIMIT,
    loginSessionTtl: env.LOGIN_SESSION_TTL,
    loginChallengeTtl: env.LOGIN_CHALLENGE_TTL,
    enrollmentTokenTtl: env.ENROLLMENT_TOKEN_TTL,
    loginMaxFailures: env.LOGIN_MAX_FAILURES,
    lockoutBase: env.LOCKOUT_BASE,
    lockoutMax: env.LOCKOUT_MAX,
    authRateLimit: env.AUTH_RATE_LIMIT,
    authRateWindow: env.AUTH_RATE_WINDOW,
    jobs: {
      enabled: env.JOB_WORKER === 'on',
      concurrency: env.JOB_CONCURRENCY,
      pollIntervalMs: env.JOB_POLL_INTERVAL_MS,
      lockTimeout: env.JOB_LOCK_TIMEOUT,
    },
    revocation: {
      retryMax: env.REVOCATION_RETRY_MAX,
      overdueAfter: env.REVOCATION_OVERDUE_AFTER,
    },
    metricsPublic: env.METRICS_PUBLIC === 'true',
  };
}

function pickKnown(source: NodeJS.ProcessEnv): Record<string, string> {
  const known: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = source[name];
    // An empty variable counts as unset, as in most deployment tools.
    if (value !== undefined && value !== '') known[name] = value;
  }
  return known;
}

function productionProblems(env: Env): string[] {
  const problems: string[] = [];
  const require = (name: keyof Env, why: string) => {
    if (env[name] === undefined) problems.push(`${name}: ${why}`);
  };
  require('DATABASE_URL', 'required in production (no embedded database)');
  require('VAULT_ADDR', 'required in production (the Vault stand-in is for development only)');
  require('TOTP_ENCRYPTION_KEY', 'required in production');
  require('AUDIT_SIGNING_KEY', 'required in production (checkpoints must be signed)');
  require('HOOK_SECRET', 'required in production');
  require('PUBLIC_URL', 'required in production');
  if (!env.JWT_SECRET && !env.JWT_KEY_FILE) {
    problems.push('JWT_SECRET: required in production (or JWT_KEY_FILE)');
  }
  if (env.JWT_SECRET === DEV_JWT_SECRET) {
    problems.push('JWT_SECRET: the development secret is refused in production');
  }
  if (env.HOOK_SECRET === DEV_HOOK_SECRET) {
    problems.push('HOOK_SECRET: the development secret is refused in production');
  }
  if (env.TOTP_ENCRYPTION_KEY?.some((k) => k.id === 'dev')) {
    problems.push('TOTP_ENCRYPTION_KEY: the development key is refused in production');
  }
  if (!env.VAULT_TOKEN && !(env.VAULT_ROLE_ID && env.VAULT_SECRET_ID)) {
    problems.push('VAULT_ROLE_ID: AppRole (VAULT_ROLE_ID and VAULT_SECRET_ID) or VAULT_TOKEN');
  }
  return problems;
}
