import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn } from '../support/factories';
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

const count = async (table: string) => Number((await database.db(table).count({ n: '*' }))[0]!.n);

function revokeAll(authorization: string | undefined, body: unknown) {
  const call = request(h.app).post('/api/v1/emergency/revoke-all');
  if (authorization) call.set('Authorization', authorization);
  return call.send(body as object);
}

describe('POST /emergency/revoke-all', () => {
  it.each([
    ['no token', null, 0, { reason: 'breach' }, 401, 'auth.unauthenticated'],
    ['a manager', 'manager', 0, { reason: 'breach' }, 403, 'auth.forbidden_role'],
    ['an admin with stale MFA', 'admin', 3600, { reason: 'breach' }, 403, 'auth.step_up_required'],
    ['an admin without a reason', 'admin', 0, {}, 400, 'emergency.invalid'],
  ] as const)('refuses %s and changes nothing', async (_n, role, mfaAgo, body, status, code) => {
    const tech = await createTechnician(database.db);
    const grant = await h.activeGrant(tech.id, vault.tenants[0]);
    let authorization: string | undefined;
    if (role) {
      const caller = await createTechnician(database.db, { role });
      authorization = (await signIn(database.db, h.config, caller.id, { mfaAgoSeconds: mfaAgo }))
        .authorization;
    }
    const before = [await count('audit_events'), await count('hook_events')];

    const res = await revokeAll(authorization, body);

    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect([await count('audit_events'), await count('hook_events')]).toEqual(before);
    expect((await database.db('grants').where({ id: grant.id }).first()).status).toBe('active');
    await database.db('grants').where({ id: grant.id }).update({ status: 'revoked' });
  });

  it('marks every live grant in every tenant at once, then Vault confirms them all', async () => {
    const [acme, globex] = vault.tenants;
    const techs = [await createTechnician(database.db), await createTechnician(database.db)];
    const grants = [
      await h.activeGrant(techs[0]!.id, acme),
      await h.activeGrant(techs[0]!.id, globex),
      await h.activeGrant(techs[1]!.id, globex),
    ];
    const sessionId = randomUUID();
    await database.db('access_sessions').insert({
      id: sessionId,
      grant_id: grants[2]!.id,
      tenant: globex,
      technician_id: techs[1]!.id,
    });
    const admin = await createTechnician(database.db, { role: 'admin' });
    const { authorization } = await signIn(database.db, h.config, admin.id);

    const res = await revokeAll(authorization, { reason: 'management platform compromised' });

    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      kind: 'emergency-revoke-all',
      status: 'pending',
      grants: { total: 3, pending: 3 },
      tenants: { [acme]: { grants_revoking: 1 }, [globex]: { grants_revoking: 2 } },
    });
    const statuses = await database
      .db('grants')
      .whereIn(
        'id',
        grants.map((g) => g.id),
      )
      .pluck('status');
    expect(statuses).toEqual(['revoking', 'revoking', 'revoking']);
    for (const tenant of [acme, globex, 'msp']) {
      const event = await database
        .db('audit_events')
        .where({ tenant, action: 'emergency.revoke_all', subject: res.body.id })
        .first();
      expect(event).toMatchObject({ actor_kind: 'technician', actor_id: admin.id });
    }

    const worker = await h.startWorker();
    try {
      await waitFor(async () => {
        const receipt = await request(h.app)
          .get(`/api/v1/hooks/receipts/${res.body.id}`)
          .set('Authorization', authorization);
        return receipt.body.status === 'complete';
      });
    } finally {
      await worker.stop();
    }
    for (const grant of grants) expect(await h.tokenAlive(grant.vault_accessor)).toBe(false);
    const revoked = await database
      .db('audit_events')
      .whereIn(
        'subject',
        grants.map((g) => g.id),
      )
      .andWhere({ action: 'grant.revoked' })
      .pluck('subject');
    expect(revoked.sort()).toEqual(grants.map((g) => g.id).sort());
    expect(await database.db('access_sessions').where({ id: sessionId }).first()).toMatchObject({
      close_reason: 'revoked',
    });
    expect(
      await database
        .db('audit_events')
        .where({ tenant: globex, subject: sessionId, action: 'session.closed' }),
    ).toHaveLength(1);
  });
});
