/**
 * Revocation in the stand-in, as Vault documents it: a token revoked by
 * accessor or by itself is gone with the leases it created; revoking a token
 * revokes its non-orphan children (and theirs), never its orphans; lease
 * revocation by prefix takes only the leases under the prefix. Driven through
 * the HTTP API, among many other tokens, so a drifting index would show.
 */
import { allowTokenMaking, asToken, useStandin } from './standin-fetch';

const { api } = useStandin(async (api) => {
  await allowTokenMaking(api, ['db', 'db2']);
  for (const mount of ['db', 'db2']) {
    await api('POST', `sys/mounts/${mount}`, { type: 'database' });
    await api('POST', `${mount}/roles/r`, { default_ttl: '1h' });
    await api('POST', `${mount}/roles/q`, { default_ttl: '1h' });
  }
});

interface Made {
  token: string;
  accessor: string;
}

/** A token made by `creator` (root by default) at `path`, with the maker policy. */
async function makeToken(creator?: string, path = 'auth/token/create'): Promise<Made> {
  const headers = asToken(creator);
  const res = await api('POST', path, { policies: ['maker'] }, headers);
  expect(res.status).toBe(200);
  return { token: res.body.auth.client_token, accessor: res.body.auth.accessor };
}

/** A database lease created by `owner` (root by default). */
async function leaseFor(owner?: string, path = 'db/creds/r', namespace?: string) {
  const headers = asToken(owner);
  if (namespace) headers['X-Vault-Namespace'] = namespace;
  const res = await api('GET', path, undefined, headers);
  expect(res.status).toBe(200);
  return res.body.lease_id as string;
}

const tokenStatus = async (made: Made) =>
  (await api('POST', 'auth/token/lookup-accessor', { accessor: made.accessor })).status;
const leaseStatus = async (leaseId: string, namespace?: string) => {
  const headers: Record<string, string> = namespace ? { 'X-Vault-Namespace': namespace } : {};
  return (await api('PUT', 'sys/leases/lookup', { lease_id: leaseId }, headers)).status;
};

describe('stand-in token revocation', () => {
  it('revokes by accessor only the token asked, among hundreds, with its leases', async () => {
    const tokens: Made[] = [];
    for (let i = 0; i < 300; i++) tokens.push(await makeToken());
    const [before, target, after] = [tokens[149]!, tokens[150]!, tokens[151]!];
    const targetLease = await leaseFor(target.token);
    const neighbourLease = await leaseFor(after.token);

    const revoked = await api('POST', 'auth/token/revoke-accessor', { accessor: target.accessor });
    expect(revoked.status).toBe(204);

    expect(await tokenStatus(target)).toBe(400);
    const asTarget = asToken(target.token);
    expect((await api('GET', 'auth/token/lookup-self', undefined, asTarget)).status).toBe(403);
    expect(await leaseStatus(targetLease)).toBe(400);
    expect(await tokenStatus(before)).toBe(200);
    expect(await tokenStatus(after)).toBe(200);
    expect(await leaseStatus(neighbourLease)).toBe(200);
    const again = await api('POST', 'auth/token/revoke-accessor', { accessor: target.accessor });
    expect(again.status).toBe(400);
    expect(await tokenStatus(await makeToken())).toBe(200);
  });

  it('revokes a token that revokes itself, with its leases only', async () => {
    const self = await makeToken();
    const other = await makeToken();
    const selfLease = await leaseFor(self.token);
    const otherLease = await leaseFor(other.token);

    const asSelf = asToken(self.token);
    expect((await api('POST', 'auth/token/revoke-self', {}, asSelf)).status).toBe(204);

    expect(await tokenStatus(self)).toBe(400);
    expect(await leaseStatus(selfLease)).toBe(400);
    expect(await tokenStatus(other)).toBe(200);
    expect(await leaseStatus(otherLease)).toBe(200);
  });

  it('revokes children and grandchildren with their parent, but not its orphans', async () => {
    const parent = await makeToken();
    const child = await makeToken(parent.token);
    const grandchild = await makeToken(child.token);
    const orphan = await makeToken(parent.token, 'auth/token/create/orphans');
    const sibling = await makeToken();
    const leases = {
      parent: await leaseFor(parent.token),
      child: await leaseFor(child.token),
      grandchild: await leaseFor(grandchild.token),
      orphan: await leaseFor(orphan.token),
    };

    await api('POST', 'auth/token/revoke-accessor', { accessor: parent.accessor });

    for (const gone of [parent, child, grandchild]) expect(await tokenStatus(gone)).toBe(400);
    expect(await leaseStatus(leases.parent)).toBe(400);
    expect(await leaseStatus(leases.child)).toBe(400);
    expect(await leaseStatus(leases.grandchild)).toBe(400);
    expect(await tokenStatus(orphan)).toBe(200);
    expect(await leaseStatus(leases.orphan)).toBe(200);
    expect(await tokenStatus(sibling)).toBe(200);
  });

  it('leaves the parent when a child is revoked, later revokes the other children', async () => {
    const parent = await makeToken();
    const first = await makeToken(parent.token);
    const second = await makeToken(parent.token);

    await api('POST', 'auth/token/revoke-accessor', { accessor: first.accessor });
    expect(await tokenStatus(first)).toBe(400);
    expect(await tokenStatus(parent)).toBe(200);
    expect(await tokenStatus(second)).toBe(200);

    await api('POST', 'auth/token/revoke-accessor', { accessor: parent.accessor });
    expect(await tokenStatus(second)).toBe(400);
  });

  it('revokes the whole of a long chain of child tokens with its first token', async () => {
    const chain = [await makeToken()];
    for (let i = 0; i < 50; i++) chain.push(await makeToken(chain[chain.length - 1]!.token));
    const lastLease = await leaseFor(chain[chain.length - 1]!.token);

    await api('POST', 'auth/token/revoke-accessor', { accessor: chain[0]!.accessor });

    for (const link of chain) expect(await tokenStatus(link)).toBe(400);
    expect(await leaseStatus(lastLease)).toBe(400);
  });

  it('revokes by prefix only the leases under it, in the caller’s namespace', async () => {
    await api('POST', 'sys/namespaces/ns-prefix');
    const inNs = { 'X-Vault-Namespace': 'ns-prefix' };
    await api('POST', 'sys/mounts/db', { type: 'database' }, inNs);
    await api('POST', 'db/roles/r', { default_ttl: '1h' }, inNs);
    const owner = await makeToken();
    const matching = [await leaseFor(owner.token), await leaseFor(owner.token)];
    const otherRole = await leaseFor(owner.token, 'db/creds/q');
    const otherMount = await leaseFor(owner.token, 'db2/creds/r');
    const otherNamespace = await leaseFor(undefined, 'db/creds/r', 'ns-prefix');

    expect((await api('PUT', 'sys/leases/revoke-prefix/db/creds/r', {})).status).toBe(204);

    for (const lease of matching) expect(await leaseStatus(lease)).toBe(400);
    expect(await leaseStatus(otherRole)).toBe(200);
    expect(await leaseStatus(otherMount)).toBe(200);
    expect(await leaseStatus(otherNamespace, 'ns-prefix')).toBe(200);

    // The owner's remaining leases still go with it.
    const later = await leaseFor(owner.token);
    await api('POST', 'auth/token/revoke-accessor', { accessor: owner.accessor });
    for (const lease of [otherRole, otherMount, later]) expect(await leaseStatus(lease)).toBe(400);
    expect(await leaseStatus(otherNamespace, 'ns-prefix')).toBe(200);
  });

  it('revokes a single lease, idempotently, leaving its token and other leases', async () => {
    const owner = await makeToken();
    const [revoked, kept] = [await leaseFor(owner.token), await leaseFor(owner.token)];

    expect((await api('PUT', 'sys/leases/revoke', { lease_id: revoked })).status).toBe(204);
    expect((await api('PUT', 'sys/leases/revoke', { lease_id: revoked })).status).toBe(204);

    expect(await leaseStatus(revoked)).toBe(400);
    expect((await api('PUT', 'sys/leases/renew', { lease_id: revoked })).status).toBe(400);
    expect(await leaseStatus(kept)).toBe(200);
    expect(await tokenStatus(owner)).toBe(200);
  });
});
