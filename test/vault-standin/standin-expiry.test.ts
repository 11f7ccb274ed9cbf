/**
 * Expiry in the stand-in, as Vault's expiration manager behaves: a token,
 * lease or wrapping token is gone at the first request once the clock reaches
 * its end, a renewal moves that end (later or earlier), and an expired token
 * takes its non-orphan children and their leases with it. The clock is moved
 * by hand; nothing sleeps.
 */
import { allowTokenMaking, asToken, useStandin } from './standin-fetch';

const { clock, api } = useStandin(async (api) => {
  await allowTokenMaking(api, ['db']);
  await api('POST', 'sys/mounts/db', { type: 'database' });
  await api('POST', 'db/roles/long', { default_ttl: '1h' });
  await api('POST', 'db/roles/short', { default_ttl: '60s', max_ttl: '1h' });
});

interface Made {
  token: string;
  accessor: string;
}

async function makeToken(ttl: string, creator?: string, path = 'auth/token/create') {
  const headers = asToken(creator);
  const res = await api('POST', path, { policies: ['maker'], ttl }, headers);
  expect(res.status).toBe(200);
  return { token: res.body.auth.client_token, accessor: res.body.auth.accessor } as Made;
}

async function lease(role: string, owner?: string): Promise<string> {
  const headers = asToken(owner);
  const res = await api('GET', `db/creds/${role}`, undefined, headers);
  expect(res.status).toBe(200);
  return res.body.lease_id;
}

async function renewSelf(made: Made, increment: string) {
  return (await api('POST', 'auth/token/renew-self', { increment }, asToken(made.token))).status;
}

const tokenStatus = async (made: Made) =>
  (await api('POST', 'auth/token/lookup-accessor', { accessor: made.accessor })).status;
const selfStatus = async (made: Made) =>
  (await api('GET', 'auth/token/lookup-self', undefined, asToken(made.token))).status;
const leaseStatus = async (leaseId: string) =>
  (await api('PUT', 'sys/leases/lookup', { lease_id: leaseId })).status;
const wrapStatus = async (token: string, path = 'sys/wrapping/lookup') =>
  (await api('POST', path, { token })).status;

describe('stand-in expiry', () => {
  it('drops a token once its TTL has passed, keeps a renewed one until its new end', async () => {
    const plain = await makeToken('60s');
    const renewed = await makeToken('60s');
    clock.advance(30);
    expect(await renewSelf(renewed, '10m')).toBe(200);

    clock.advance(29);
    expect(await tokenStatus(plain)).toBe(200);
    clock.advance(1);
    expect(await tokenStatus(plain)).toBe(400);
    expect(await selfStatus(plain)).toBe(403);
    expect(await selfStatus(renewed)).toBe(200);

    clock.advance(569);
    expect(await tokenStatus(renewed)).toBe(200);
    clock.advance(1);
    expect(await tokenStatus(renewed)).toBe(400);
  });

  it('drops a token renewed to a shorter TTL at its new, earlier end', async () => {
    const made = await makeToken('1h');
    expect(await renewSelf(made, '10s')).toBe(200);
    clock.advance(10);
    expect(await tokenStatus(made)).toBe(400);
  });

  it('takes an expired token’s children and their leases, but not its orphans', async () => {
    const parent = await makeToken('60s');
    const child = await makeToken('1h', parent.token);
    const orphan = await makeToken('1h', parent.token, 'auth/token/create/orphans');
    const childLease = await lease('long', child.token);
    const orphanLease = await lease('long', orphan.token);

    clock.advance(60);

    expect(await tokenStatus(parent)).toBe(400);
    expect(await tokenStatus(child)).toBe(400);
    expect(await leaseStatus(childLease)).toBe(400);
    expect(await tokenStatus(orphan)).toBe(200);
    expect(await leaseStatus(orphanLease)).toBe(200);
  });

  it('drops a lease once its TTL has passed, keeps a renewed one until its new end', async () => {
    const plain = await lease('short');
    const renewed = await lease('short');
    const shortened = await lease('short');
    const renew = (id: string, increment: string) =>
      api('PUT', 'sys/leases/renew', { lease_id: id, increment });
    expect((await renew(renewed, '10m')).status).toBe(200);
    expect((await renew(shortened, '5s')).status).toBe(200);

    clock.advance(5);
    expect(await leaseStatus(shortened)).toBe(400);
    expect(await leaseStatus(plain)).toBe(200);
    clock.advance(55);
    expect(await leaseStatus(plain)).toBe(400);
    expect((await renew(plain, '10m')).status).toBe(400);
    expect(await leaseStatus(renewed)).toBe(200);

    clock.advance(540);
    expect(await leaseStatus(renewed)).toBe(400);
  });

  it('drops a wrapping token once its TTL has passed, and unwraps a live one once', async () => {
    const wrap = async (ttl: string) => {
      const res = await api('POST', 'sys/wrapping/wrap', { a: ttl }, { 'X-Vault-Wrap-TTL': ttl });
      return res.body.wrap_info.token as string;
    };
    const [short, long] = [await wrap('60s'), await wrap('120s')];

    clock.advance(59);
    expect(await wrapStatus(short)).toBe(200);
    clock.advance(1);
    expect(await wrapStatus(short)).toBe(400);
    expect(await wrapStatus(short, 'sys/wrapping/unwrap')).toBe(400);
    expect(await wrapStatus(long)).toBe(200);
    expect(await wrapStatus(long, 'sys/wrapping/unwrap')).toBe(200);
    expect(await wrapStatus(long, 'sys/wrapping/unwrap')).toBe(400);
  });

  it('keeps expiring on time after thousands of renewals and revocations', async () => {
    const untouched = await makeToken('60s');
    const renewed = await makeToken('1h');
    const leaseId = await lease('short');
    // Each renewal and each revoked token leaves a superseded end behind.
    for (let i = 0; i < 1500; i++) expect(await renewSelf(renewed, `${200 + i}s`)).toBe(200);
    for (let i = 0; i < 300; i++) {
      const made = await makeToken('30s');
      await api('POST', 'auth/token/revoke-accessor', { accessor: made.accessor });
    }

    clock.advance(59);
    expect(await leaseStatus(leaseId)).toBe(200);
    clock.advance(1);
    expect(await tokenStatus(untouched)).toBe(400);
    expect(await leaseStatus(leaseId)).toBe(400);
    expect(await tokenStatus(renewed)).toBe(200);
    clock.advance(1699 - 61);
    expect(await tokenStatus(renewed)).toBe(200);
    clock.advance(1);
    expect(await tokenStatus(renewed)).toBe(400);
  });
});
