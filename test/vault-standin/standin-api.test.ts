/**
 * The stand-in's HTTP answers, checked against the shapes of Vault's API
 * documentation with plain fetch, so nothing of the broker's client is assumed.
 */
import { VaultStandin } from '../../src/vault-standin/standin-server';
import { useStandin } from './standin-fetch';

const { clock, api, standin } = useStandin();

describe('Vault stand-in API', () => {
  it('says in its health answer that it is not Vault', async () => {
    const res = await api('GET', 'sys/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ initialized: true, sealed: false, standin: true });
    expect(res.body.notice).toMatch(/NOT HashiCorp Vault/);
  });

  it('refuses to start in production', () => {
    expect(() => new VaultStandin({ env: 'production' })).toThrow();
  });

  it('answers unknown and missing tokens with 403 permission denied', async () => {
    for (const headers of [{ 'X-Vault-Token': 'hvs.nope' }, { 'X-Vault-Token': '' }]) {
      const res = await api('GET', 'auth/token/lookup-self', undefined, headers);
      expect(res).toEqual({ status: 403, body: { errors: ['permission denied'] } });
    }
  });

  it('creates a token with Vault’s auth block and expires it on its TTL', async () => {
    const created = await api('POST', 'auth/token/create', {
      policies: ['p1'],
      ttl: '1m',
      renewable: false,
      meta: { grant_id: 'g1' },
    });
    expect(created.status).toBe(200);
    expect(created.body.auth).toMatchObject({
      client_token: expect.stringMatching(/^hvs\./),
      accessor: expect.any(String),
      policies: ['default', 'p1'],
      token_policies: ['default', 'p1'],
      metadata: { grant_id: 'g1' },
      lease_duration: 60,
      renewable: false,
    });
    const accessor = created.body.auth.accessor;
    expect((await api('POST', 'auth/token/lookup-accessor', { accessor })).body.data.ttl).toBe(60);

    clock.advance(60);
    const gone = await api('POST', 'auth/token/lookup-accessor', { accessor });
    expect(gone.status).toBe(400);
    expect(gone.body.errors).toEqual(expect.any(Array));
  });

  it('wraps with X-Vault-Wrap-TTL, unwraps once, then answers 400', async () => {
    const missingTtl = await api('POST', 'sys/wrapping/wrap', { a: 1 });
    expect(missingTtl.status).toBe(400);

    const wrapped = await api('POST', 'sys/wrapping/wrap', { a: 1 }, { 'X-Vault-Wrap-TTL': '5m' });
    expect(wrapped.body.wrap_info).toMatchObject({ ttl: 300, creation_path: 'sys/wrapping/wrap' });
    const token = wrapped.body.wrap_info.token;
    expect((await api('POST', 'sys/wrapping/lookup', { token })).body.data.creation_ttl).toBe(300);

    const first = await api('POST', 'sys/wrapping/unwrap', undefined, { 'X-Vault-Token': token });
    expect(first.body.data).toEqual({ a: 1 });
    const second = await api('POST', 'sys/wrapping/unwrap', undefined, { 'X-Vault-Token': token });
    expect(second.status).toBe(400);
    expect(second.body.errors).toEqual(expect.any(Array));
  });

  it('keeps namespaces apart: a token of one cannot act in another', async () => {
    await api('POST', 'sys/namespaces/ns-a');
    await api('POST', 'sys/namespaces/ns-b');
    const inA = { 'X-Vault-Namespace': 'ns-a' };
    await api('POST', 'sys/mounts/kv', { type: 'kv' }, inA);
    await api(
      'PUT',
      'sys/policies/acl/all',
      { policy: 'path "*" { capabilities = ["read"] }' },
      inA,
    );
    const token = (await api('POST', 'auth/token/create', { policies: ['all'] }, inA)).body.auth
      .client_token;

    const inB = { 'X-Vault-Namespace': 'ns-b', 'X-Vault-Token': token };
    expect((await api('GET', 'auth/token/lookup-self', undefined, inB)).status).toBe(403);
    const ownNs = { 'X-Vault-Namespace': 'ns-a', 'X-Vault-Token': token };
    expect((await api('GET', 'kv/data/none', undefined, ownNs)).status).toBe(404);
  });

  it('revokes a lease prefix only with sudo', async () => {
    await api('POST', 'sys/mounts/db', { type: 'database' });
    await api('POST', 'db/roles/r', { default_ttl: '1h' });
    const lease = (await api('GET', 'db/creds/r')).body.lease_id as string;
    expect(lease).toMatch(/^db\/creds\/r\//);
    await api('PUT', 'sys/policies/acl/leases', {
      policy: 'path "sys/leases/*" { capabilities = ["update"] }',
    });
    const limited = (await api('POST', 'auth/token/create', { policies: ['leases'] })).body.auth;
    const asLimited = { 'X-Vault-Token': limited.client_token };
    expect((await api('PUT', 'sys/leases/revoke-prefix/db', {}, asLimited)).status).toBe(403);
    expect((await api('PUT', 'sys/leases/revoke-prefix/db', {})).status).toBe(204);
    expect((await api('PUT', 'sys/leases/lookup', { lease_id: lease })).status).toBe(400);
  });

  it('injects faults through its admin endpoint, for the root token only', async () => {
    const other = (await api('POST', 'auth/token/create', {})).body.auth.client_token;
    const refused = await api(
      'PUT',
      'sys/standin/fault',
      { fault: 'error' },
      { 'X-Vault-Token': other },
    );
    expect(refused.status).toBe(403);

    expect((await api('PUT', 'sys/standin/fault', { fault: 'error' })).status).toBe(204);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await api('GET', 'sys/health')).status).toBe(500);
    await standin().setFault(null);
    expect((await api('GET', 'sys/health')).status).toBe(200);
  });
});
