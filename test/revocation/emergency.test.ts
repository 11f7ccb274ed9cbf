import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { revokeAll as revokeAllGrants } from '../../src/revocation/emergency-revoke';
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

/** An admin, signed in with fresh MFA, as revokeAll takes the caller. */
async function adminPrincipal() {
  const admin = await createTechnician(database.db, { role: 'admin' });
  return {
    technicianId: admin.id,
    email: admin.email,
    role: 'admin' as const,
    auditorTenant: null,
    sessionId: randomUUID(),
    mfaAt: new Date(),
  };
}

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

  it('marks whole tenants a few at a time, so Vault work starts before the last', async () => {
    const [acme, globex] = vault.tenants;
    const tech = await createTechnician(database.db);
    const grants = [
      await h.activeGrant(tech.id, acme),
      await h.activeGrant(tech.id, globex),
      await h.activeGrant(tech.id, globex),
    ];
    const principal = await adminPrincipal();

    // Runs of about one grant: acme alone, then globex whole (never split).
    const receipt = await revokeAllGrants(database.db, principal, 'breach', { chunkGrants: 1 });

    expect(receipt.tenants).toMatchObject({
      [acme]: { grants_revoking: 1 },
      [globex]: { grants_revoking: 2 },
    });
    // xmin names the transaction that last wrote a row.
    const rows: { id: string; status: string; xmin: string }[] = await database
      .db('grants')
      .whereIn(
        'id',
        grants.map((g) => g.id),
      )
      .select('id', 'status', 'xmin');
    const writtenBy = new Map(rows.map((row) => [row.id, row.xmin]));
    expect(rows.map((row) => row.status)).toEqual(['revoking', 'revoking', 'revoking']);
    expect(writtenBy.get(grants[1]!.id)).toBe(writtenBy.get(grants[2]!.id));
    expect(writtenBy.get(grants[0]!.id)).not.toBe(writtenBy.get(grants[1]!.id));
    const batches: { payload: { grant_ids: string[] } }[] = await database
      .db('graphile_worker._private_jobs')
      .where('key', 'like', 'grant-revoke-batch:%')
      .select('payload');
    const queued = batches.map((job) => [...job.payload.grant_ids].sort());
    expect(queued).toEqual(
      expect.arrayContaining([[grants[0]!.id], [grants[1]!.id, grants[2]!.id].sort()]),
    );
    for (const [tenant, subjects] of [
      [acme, [grants[0]!.id]],
      [globex, [grants[1]!.id, grants[2]!.id]],
    ] as const) {
      const events = await database
        .db('audit_events')
        .where({ tenant })
        .whereIn('action', ['grant.revoke_requested', 'emergency.revoke_all'])
        .andWhere((q) => q.whereIn('subject', subjects).orWhere('subject', receipt.id))
        .pluck('action');
      expect(events.sort()).toEqual(
        ['emergency.revoke_all', ...subjects.map(() => 'grant.revoke_requested')].sort(),
      );
    }
  });

  it('marks a grant that went live after its tenant was counted', async () => {
    const [acme, globex] = vault.tenants;
    const tech = await createTechnician(database.db);
    const first = await h.activeGrant(tech.id, acme);
    const principal = await adminPrincipal();
    // Holding acme's audit head stops revoke-all inside acme's run, after the
    // count found live grants on acme alone.
    const hold = await database.db.transaction();
    await hold('audit_heads').where({ tenant: acme }).forUpdate().select('seq');
    const running = revokeAllGrants(database.db, principal, 'breach');
    await waitFor(async () => {
      const waiting = await database
        .db('pg_stat_activity')
        .where({ datname: database.db.raw('current_database()'), wait_event_type: 'Lock' })
        .count({ n: '*' });
      return Number(waiting[0]!.n) > 0;
    });
    const late = await h.activeGrant(tech.id, globex);
    await hold.commit();

    const receipt = await running;

    expect(receipt.tenants).toMatchObject({
      [acme]: { grants_revoking: 1 },
      [globex]: { grants_revoking: 1 },
    });
    const statuses = await database.db('grants').whereIn('id', [first.id, late.id]).pluck('status');
    expect(statuses).toEqual(['revoking', 'revoking']);
  });
});
