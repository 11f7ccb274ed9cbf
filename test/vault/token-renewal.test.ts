/**
 * The broker's own Vault token: renewed at two thirds of its TTL, and replaced
 * by a fresh AppRole login when renewal fails. Time is the stand-in's clock
 * and the client's scheduler, both driven by the test.
 */
import { VaultStandin } from '../../src/vault-standin/standin-server';
import { VaultClient } from '../../src/vault/vault-client';
import { POLICY_DIR } from '../../src/vault/policy-templates';
import { setupBroker } from '../../src/vault/vault-setup';
import { manualClock } from './vault-fixture';

const clock = manualClock();
let standin: VaultStandin;
let broker: { roleId: string; secretId: string };

beforeAll(async () => {
  standin = await new VaultStandin({ clock, quiet: true }).start();
  const admin = new VaultClient({ addr: standin.url, token: standin.rootToken });
  broker = await setupBroker(
    admin,
    { tenantPath: 'customers/{tenant}', namespace: undefined },
    POLICY_DIR,
  );
  admin.stop();
});
afterAll(async () => {
  await standin.stop();
});

const approleTokens = () =>
  [...standin.state.tokens.values()].filter((t) => t.path === 'auth/approle/login');

// Lets pending promise callbacks and socket events run, without a timed sleep.
async function until(condition: () => boolean) {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  expect(condition()).toBe(true);
}

function clientWithScheduler() {
  const scheduled: { run: () => void; delayMs: number }[] = [];
  const client = new VaultClient({
    addr: standin.url,
    ...broker,
    schedule: (run, delayMs) => {
      scheduled.push({ run, delayMs });
    },
  });
  return { client, scheduled };
}

describe('broker token renewal', () => {
  it('renews at two thirds of the TTL and so outlives the first period', async () => {
    const { client, scheduled } = clientWithScheduler();
    const before = approleTokens().length;
    await client.call('GET', 'auth/token/lookup-self');
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.delayMs).toBe(2400 * 1000); // 2/3 of the 1h period

    clock.advance(2400);
    scheduled[0]!.run();
    await until(() => scheduled.length === 2);
    clock.advance(2400); // 80 minutes after login: past the first period
    const self = await client.call('GET', 'auth/token/lookup-self');
    expect(self!.data.ttl).toBe(1200);
    expect(approleTokens().length).toBe(before + 1);
    client.stop();
  });

  it('logs in again through AppRole when renewal fails', async () => {
    const { client, scheduled } = clientWithScheduler();
    const self = await client.call('GET', 'auth/token/lookup-self');
    standin.state.revokeToken(standin.state.tokens.get(self!.data.id)!);

    scheduled[0]!.run();
    await until(() => scheduled.length === 2);
    const again = await client.call('GET', 'auth/token/lookup-self');
    expect(again!.data.id).not.toBe(self!.data.id);
    client.stop();
  });
});
