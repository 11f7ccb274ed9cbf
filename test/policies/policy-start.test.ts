import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../../src/server';
import { loadPolicySet } from '../../src/policies/policy-set';
import { recordPolicySet } from '../../src/policies/record-policy-set';
import { useTestDatabase } from '../support/database';
import { testConfig } from '../support/factories';

const database = useTestDatabase();
let broken: string;

beforeAll(() => {
  broken = mkdtempSync(join(tmpdir(), 'broken-policies-'));
  mkdirSync(join(broken, 'profiles'));
  writeFileSync(
    join(broken, 'profiles', 'admin.yaml'),
    'credential: vault-token\nmax_duration: two hours\nvault:\n  policies: [x]\n',
  );
});
afterAll(() => rmSync(broken, { recursive: true, force: true }));

describe('policies at start', () => {
  it('a broken policy file stops the broker start with a message naming file and key', async () => {
    const config = testConfig({ POLICY_DIR: broken, DATABASE_URL: database.url, PORT: '0' });
    await expect(startBroker(config)).rejects.toThrow(
      /profiles\/admin\.yaml: max_duration: must be a duration like 2h/,
    );
  });

  it('records the policy hash in the msp log once, and again only when it changes', async () => {
    const { db } = database;
    const count = async () =>
      Number(
        (await db('audit_events').where({ tenant: 'msp', action: 'policy.loaded' }).count())[0]!
          .count,
      );
    const before = await count();
    const set = loadPolicySet('policies');
    expect(await recordPolicySet(db, set)).toBe('recorded');
    expect(await recordPolicySet(db, set)).toBe('unchanged');
    expect(await count()).toBe(before + 1);
    const last = await db('audit_events')
      .where({ tenant: 'msp', action: 'policy.loaded' })
      .orderBy('seq', 'desc')
      .first('data');
    expect(last.data.hash).toBe(set.hash);
  });
});
