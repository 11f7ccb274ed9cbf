/**
 * How the stand-in routes a path to a secrets engine, as Vault does: to the
 * mount with the longest path that is a whole-segment prefix of it, among the
 * mounts of the request's namespace only.
 */
import { VaultStandin } from '../../src/vault-standin/standin-server';
import { manualClock } from '../vault/vault-fixture';
import { standinFetch } from './standin-fetch';

let standin: VaultStandin;
let api: ReturnType<typeof standinFetch>;

beforeAll(async () => {
  standin = await new VaultStandin({ clock: manualClock(), quiet: true }).start();
  api = standinFetch(standin);
});
afterAll(async () => {
  await standin.stop();
});

describe('stand-in mount routing', () => {
  it('serves a path from the longest mount whose path is a whole-segment prefix', async () => {
    for (const mount of ['kv', 'kv/team', 'deep/a/b']) {
      expect((await api('POST', `sys/mounts/${mount}`, { type: 'kv' })).status).toBe(204);
    }
    const write = (path: string, v: string) => api('PUT', path, { data: { v } });
    expect((await write('kv/data/x', 'outer')).status).toBe(200);
    expect((await write('kv/team/data/x', 'inner')).status).toBe(200);
    expect((await write('deep/a/b/data/x', 'deep')).status).toBe(200);

    expect((await api('GET', 'kv/data/x')).body.data.data).toEqual({ v: 'outer' });
    expect((await api('GET', 'kv/team/data/x')).body.data.data).toEqual({ v: 'inner' });
    expect((await api('GET', 'deep/a/b/data/x')).body.data.data).toEqual({ v: 'deep' });
    expect((await api('GET', 'kvx/data/x')).status).toBe(404);
    expect((await api('GET', 'deep/a/data/x')).status).toBe(404);
  });

  it('keeps each namespace’s mounts apart, and refuses a path already mounted', async () => {
    await api('POST', 'sys/namespaces/ns-mounts');
    const inNs = { 'X-Vault-Namespace': 'ns-mounts' };
    expect((await api('POST', 'sys/mounts/shared', { type: 'kv' })).status).toBe(204);
    expect((await api('POST', 'sys/mounts/shared', { type: 'kv' })).status).toBe(400);
    expect((await api('GET', 'shared/data/x', undefined, inNs)).status).toBe(404);

    expect((await api('POST', 'sys/mounts/shared', { type: 'kv' }, inNs)).status).toBe(204);
    await api('PUT', 'shared/data/x', { data: { v: 'ns' } }, inNs);
    expect((await api('GET', 'shared/data/x', undefined, inNs)).body.data.data).toEqual({
      v: 'ns',
    });
    expect((await api('GET', 'shared/data/x')).status).toBe(404);
  });
});
