import { useTestDatabase } from '../support/database';
import { createTechnician } from '../support/factories';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { revocationHarness, waitFor } from './revocation-harness';

const database = useTestDatabase();
let vault: VaultFixture;
let h: ReturnType<typeof revocationHarness>;

beforeAll(async () => {
  vault = await startVaultFixture();
  for (const slug of vault.tenants) await database.db('tenants').insert({ slug, name: slug });
  h = revocationHarness(database, vault);
});
afterAll(async () => {
  await vault?.stop();
});

const statusOf = async (id: string) =>
  (await database.db('grants').where({ id }).first('status')).status as string;

describe('grant expiry', () => {
  it('queues one expiry job per grant, keyed by grant', async () => {
    const tech = await createTechnician(database.db);
    const grant = await h.activeGrant(tech.id, vault.tenants[0], 600);

    const jobs = await database
      .db('graphile_worker.jobs')
      .where({ key: `grant-expire:${grant.id}` })
      .select('task_identifier', 'run_at');
    expect(jobs).toHaveLength(1);
    expect(jobs[0].task_identifier).toBe('grant-expire');
    expect(new Date(jobs[0].run_at).getTime()).toBe(new Date(grant.ends_at).getTime());
  });

  it('revokes a short grant in Vault soon after its end, marks it expired, and audits it', async () => {
    const tech = await createTechnician(database.db);
    const grant = await h.activeGrant(tech.id, vault.tenants[0], 2);
    expect(grant.status).toBe('active');
    expect(await h.tokenAlive(grant.vault_accessor)).toBe(true);

    const worker = await h.startWorker();
    try {
      await waitFor(async () => (await statusOf(grant.id)) === 'expired');
    } finally {
      await worker.stop();
    }

    // The stand-in's clock does not move in these tests: only the broker ended it.
    expect(await h.tokenAlive(grant.vault_accessor)).toBe(false);
    const row = await database.db('grants').where({ id: grant.id }).first();
    expect(row.revoked_at).toBeInstanceOf(Date);
    const actions = await database
      .db('audit_events')
      .where({ tenant: vault.tenants[0], subject: grant.id })
      .orderBy('seq')
      .pluck('action');
    expect(actions).toEqual(['grant.issued', 'grant.revoke_requested', 'grant.expired']);
  });

  it('leaves a grant alone until its end, even when its job runs early', async () => {
    const tech = await createTechnician(database.db);
    const grant = await h.activeGrant(tech.id, vault.tenants[1], 600);
    // Pull the job forward: the task must still refuse to expire a live grant.
    await database.db.raw(`select graphile_worker.add_job('grant-expire', ?::json, job_key => ?)`, [
      JSON.stringify({ grant_id: grant.id }),
      `grant-expire:${grant.id}`,
    ]);

    const worker = await h.startWorker();
    try {
      await waitFor(async () => {
        const left = await database
          .db('graphile_worker.jobs')
          .where({ key: `grant-expire:${grant.id}` })
          .count({ n: '*' });
        return Number(left[0]!.n) === 0;
      });
    } finally {
      await worker.stop();
    }
    expect(await statusOf(grant.id)).toBe('active');
    expect(await h.tokenAlive(grant.vault_accessor)).toBe(true);
  });
});
