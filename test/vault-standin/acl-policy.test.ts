import { capabilitiesFor, globMatches, parsePolicy } from '../../src/vault-standin/acl-policy';

describe('stand-in ACL policies', () => {
  it.each([
    ['customers/acme/kv/data/*', 'customers/acme/kv/data/app', true],
    ['customers/acme/kv/data/*', 'customers/globex/kv/data/app', false],
    ['customers/+/database/creds/*', 'customers/acme/database/creds/readonly', true],
    ['customers/+/database/creds/*', 'customers/a/b/database/creds/readonly', false],
    ['sys/leases/lookup', 'sys/leases/lookup', true],
    ['sys/leases/lookup', 'sys/leases/lookup-x', false],
    ['auth/token/create/jit-*', 'auth/token/create/jit-acme', true],
    ['auth/token/create/jit-*', 'auth/token/create-orphan', false],
  ])('glob %s against %s is %s', (pattern, path, expected) => {
    expect(globMatches(pattern, path)).toBe(expected);
  });

  it('parses the HCL subset with comments', () => {
    const rules = parsePolicy(`
      # comment
      path "a/*" { capabilities = ["read", "list"] }
      path "b" {
        capabilities = ["update"] // trailing
      }`);
    expect(rules).toEqual([
      { pattern: 'a/*', capabilities: ['read', 'list'] },
      { pattern: 'b', capabilities: ['update'] },
    ]);
  });

  it.each([['path "a" { capabilities = ["fly"] }'], ['path "a" { }'], ['not a policy']])(
    'refuses a malformed policy: %s',
    (hcl) => {
      expect(() => parsePolicy(hcl)).toThrow();
    },
  );

  it('applies the most precise matching rule, and deny wins within it', () => {
    const broad = parsePolicy('path "kv/*" { capabilities = ["read", "update"] }');
    const narrow = parsePolicy('path "kv/secret/*" { capabilities = ["read"] }');
    const deny = parsePolicy('path "kv/secret/*" { capabilities = ["deny"] }');
    expect([...capabilitiesFor([broad, narrow], 'kv/secret/x')]).toEqual(['read']);
    expect([...capabilitiesFor([broad, narrow], 'kv/other')].sort()).toEqual(['read', 'update']);
    expect([...capabilitiesFor([broad, narrow, deny], 'kv/secret/x')]).toEqual(['deny']);
    expect(capabilitiesFor([broad], 'elsewhere').size).toBe(0);
  });
});
