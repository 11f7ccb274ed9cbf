import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../src/platform/config';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://broker@db.internal:5432/broker',
  VAULT_ADDR: 'https://vault.internal:8200',
  VAULT_ROLE_ID: 'role',
  VAULT_SECRET_ID: 'secret',
  JWT_SECRET: 'x'.repeat(48),
  TOTP_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  AUDIT_SIGNING_KEY: 'MC4CAQAwBQYDK2VwBCIEIK2Rp9Zc9p2lJ8Jv3m1Jc4pQ9R8Yk8mN0X0b5f0ZqJ7u',
  HOOK_SECRET: 'h'.repeat(40),
  PUBLIC_URL: 'https://jit.msp.example',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives development defaults that start with nothing set', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwt.secret).toBe(DEV_JWT_SECRET);
    expect(config.totpKeys[0]?.key).toHaveLength(32);
    expect(config.vault.tenantPath).toBe('customers/{tenant}');
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig(production);
    expect(config.env).toBe('production');
    expect(config.totpKeys.map((k) => k.id)).toEqual(['k1']);
  });

  it.each([
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['NODE_ENV', 'staging', 'NODE_ENV'],
    ['DATABASE_URL', 'mysql://x@y/z', 'DATABASE_URL'],
    ['VAULT_ADDR', 'vault.internal', 'VAULT_ADDR'],
    ['VAULT_TENANT_PATH', 'customers/all', 'VAULT_TENANT_PATH'],
    ['JWT_SECRET', 'short', 'JWT_SECRET'],
    ['TOTP_ENCRYPTION_KEY', 'k1:c2hvcnQ=', 'TOTP_ENCRYPTION_KEY'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL'],
    ['ACCESS_TOKEN_TTL', '-5', 'ACCESS_TOKEN_TTL'],
  ])('refuses %s=%s, naming the variable', (name, value, named) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.some((p) => p.startsWith(`${named}:`))).toBe(true);
  });

  it.each([
    'DATABASE_URL',
    'VAULT_ADDR',
    'AUDIT_SIGNING_KEY',
    'TOTP_ENCRYPTION_KEY',
    'HOOK_SECRET',
    'PUBLIC_URL',
  ])('refuses production without %s', (name) => {
    const env: Record<string, string> = { ...production };
    delete env[name];
    expect(problemsOf(env).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('refuses production without any Vault credentials', () => {
    const env: Record<string, string> = { ...production };
    delete env.VAULT_ROLE_ID;
    delete env.VAULT_SECRET_ID;
    expect(problemsOf(env).some((p) => p.startsWith('VAULT_ROLE_ID:'))).toBe(true);
  });

  it.each([
    ['JWT_SECRET', DEV_JWT_SECRET],
    ['TOTP_ENCRYPTION_KEY', `dev:${Buffer.alloc(32, 1).toString('base64')}`],
    ['HOOK_SECRET', 'development-only-hook-secret'],
  ])('refuses the development %s in production', (name, value) => {
    expect(problemsOf({ ...production, [name]: value }).some((p) => p.startsWith(name))).toBe(true);
  });

  it('refuses a notification webhook without its signing secret', () => {
    const problems = problemsOf({ NOTIFY_WEBHOOK_URL: 'https://chat.msp.example/hook' });
    expect(problems.some((p) => p.startsWith('NOTIFY_WEBHOOK_SECRET:'))).toBe(true);
    const config = loadConfig({
      NOTIFY_WEBHOOK_URL: 'https://chat.msp.example/hook',
      NOTIFY_WEBHOOK_SECRET: 's'.repeat(32),
    });
    expect(config.notifyWebhook?.url).toBe('https://chat.msp.example/hook');
  });

  it.each([
    ['JOB_CONCURRENCY', '0'],
    ['JOB_WORKER', 'maybe'],
    ['METRICS_PUBLIC', 'yes'],
    ['REVOCATION_RETRY_MAX', 'soon'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(problemsOf({ [name]: value }).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('refuses production with no JWT key at all', () => {
    const env: Record<string, string> = { ...production };
    delete env.JWT_SECRET;
    expect(problemsOf(env).some((p) => p.startsWith('JWT_SECRET:'))).toBe(true);
  });
});
