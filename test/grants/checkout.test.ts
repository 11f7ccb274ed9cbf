import request from 'supertest';
import { relayAll } from '../../src/jobs/job-outbox';
import { tenantPaths } from '../../src/vault/tenant-paths';
import { parseCertificate } from '../../src/vault-standin/openssh-cert';
import { generateKeyPairSync } from 'node:crypto';
import { useTestDatabase } from '../support/database';
import { createTechnician, signIn } from '../support/factories';
import { startVaultFixture, type VaultFixture } from '../vault/vault-fixture';
import { checkout } from '../../src/grants/checkout';
import { AccessTokens } from '../../src/identity/access-tokens';
import { principalFor } from '../../src/identity/authenticate';
import { unpark } from '../../src/grants/grant-parking';
import { grantHarness } from './grant-harness';

const database = useTestDatabase();
let vault: VaultFixture;
let h: ReturnType<typeof grantHarness>;
let acme: string;
let globex: string;

beforeAll(async () => {
  vault = await startVaultFixture();
  [acme, globex] = vault.tenants;
  for (const slug of vault.tenants) {
    await database.db('tenants').insert({ slug, name: slug });
  }
  h = grantHarness(database.db, vault);
});
afterAll(async () => {
  await vault?.stop();
});

async function technician() {
  const tech = await createTechnician(database.db);
  const { authorization } = await signIn(database.db, h.config, tech.id);
  return { ...tech, authorization };
}

async function activeGrant(techId: string, profile = 'read-only', tenant = acme) {
  const id = await h.issuingGrant(techId, tenant, profile);
  await h.issuance.issue(id);
  return id;
}

async function writeKv(tenant: string) {
  const { kv } = tenantPaths(vault.settings, tenant);
  await vault.admin.call('POST', `${kv}/data/app`, { data: { value: `${tenant}-secret` } });
  return `${kv}/data/app`;
}

function sshPublicKey() {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([len(11), Buffer.from('ssh-ed25519'), len(32), raw]);
  return `ssh-ed25519 ${blob.toString('base64')} tech@laptop`;
}

describe('issuing a grant', () => {
  it('activates it with its own Vault token and audits it', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);

    const grant = await database.db('grants').where({ id }).first();
    expect(grant.status).toBe('active');
    expect(grant.vault_accessor).toEqual(expect.any(String));
    expect(grant.parked_wrap_sealed).toEqual(expect.any(String));
    const events = await database.db('audit_events').where({ tenant: acme, subject: id });
    expect(events.map((e) => e.action)).toEqual(['grant.issued']);
    expect(await expiryJobs(id)).toEqual([{ run_at: grant.ends_at }]);
  });

  it('records a failure, answers vault.unavailable, works again once Vault is back', async () => {
    const tech = await technician();
    const id = await h.issuingGrant(tech.id, acme, 'read-only');
    await vault.standin!.setFault('down');
    try {
      await expect(h.issuance.issue(id)).rejects.toMatchObject({
        code: 'vault.unavailable',
        status: 503,
      });
    } finally {
      await vault.standin!.setFault(null);
    }
    const failed = await database.db('grants').where({ id }).first();
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'vault.unavailable' });
    const event = await database.db('audit_events').where({ subject: id }).first();
    expect(event).toMatchObject({ action: 'grant.failed' });
    expect(event.data.reason).toBe('vault.unavailable');

    const next = await activeGrant(tech.id);
    expect((await database.db('grants').where({ id: next }).first()).status).toBe('active');
  });

  // What the job outbox holds reaches the queue first, as the broker's relay would move it.
  const expiryJobs = async (id: string) => {
    await relayAll(database.db);
    return database
      .db('graphile_worker._private_jobs')
      .where({ key: `grant-expire:${id}` })
      .select('run_at');
  };

  async function opened(id: string, email: string) {
    const grant = await database.db('grants').where({ id }).first();
    const { tenant, profile, technician_id, ends_at } = grant;
    return { id, tenant, profile, technician_id, ends_at, email };
  }

  it('takes the grant its opener describes and answers the status it set', async () => {
    const tech = await technician();
    const id = await h.issuingGrant(tech.id, acme, 'read-only');

    expect(await h.issuance.issue(id, await opened(id, tech.email))).toBe('active');
    const grant = await database.db('grants').where({ id }).first();
    expect(grant).toMatchObject({ status: 'active', vault_accessor: expect.any(String) });
  });

  it('ends the fresh credential of a grant revoked while Vault was issuing it', async () => {
    const tech = await technician();
    const id = await h.issuingGrant(tech.id, acme, 'read-only');
    const described = await opened(id, tech.email);
    // Revoked after its opener committed, before issuance reached the database.
    await database.db('grants').where({ id }).update({ status: 'revoking' });
    const revoke = jest.spyOn(vault.services.issuers['vault-token'], 'revoke');
    try {
      expect(await h.issuance.issue(id, described)).toBeUndefined();
      expect(revoke).toHaveBeenCalledTimes(1);
      const { accessor } = revoke.mock.calls[0]![0];
      await expect(
        vault.admin.call('POST', 'auth/token/lookup-accessor', { accessor }),
      ).rejects.toMatchObject({ code: 'vault.denied' });
    } finally {
      revoke.mockRestore();
    }
    const grant = await database.db('grants').where({ id }).first();
    expect(grant).toMatchObject({ status: 'revoking', vault_accessor: null });
    const events = await database.db('audit_events').where({ subject: id });
    expect(events.map((e) => e.action)).not.toContain('grant.issued');
    expect(await expiryJobs(id)).toEqual([]);
  });

  it('leaves a grant no longer issuing alone when nobody describes it', async () => {
    const tech = await technician();
    const id = await h.issuingGrant(tech.id, acme, 'read-only');
    await database.db('grants').where({ id }).update({ status: 'revoking' });
    const create = jest.spyOn(vault.services.issuers['vault-token'], 'issue');
    try {
      expect(await h.issuance.issue(id)).toBeUndefined();
      expect(create).not.toHaveBeenCalled();
    } finally {
      create.mockRestore();
    }
  });
});

describe('POST /grants/:id/checkout', () => {
  it('delivers a token that unwraps once and reaches only its own tenant', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    const ownPath = await writeKv(acme);
    const otherPath = await writeKv(globex);

    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization)
      .set('user-agent', 'jit-test')
      .send({});
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      session_id: expect.any(String),
      wrap_token: expect.any(String),
      wrap_ttl: 300,
      vault_addr: vault.addr,
      expires_at: expect.any(String),
    });

    const unwrapped = await h.technicianVault(res.body.wrap_token).unwrap();
    const token = unwrapped.data.token as string;
    await expect(h.technicianVault(res.body.wrap_token).unwrap()).rejects.toMatchObject({
      response: { statusCode: 400 },
    });
    const holder = h.technicianVault(token);
    expect((await holder.read(ownPath)).data.data.value).toBe(`${acme}-secret`);
    await expect(holder.read(otherPath)).rejects.toMatchObject({
      response: { statusCode: 403 },
    });

    const session = await database.db('access_sessions').where({ id: res.body.session_id }).first();
    expect(session).toMatchObject({ grant_id: id, user_agent: 'jit-test', closed_at: null });
    const opened = await database.db('audit_events').where({ subject: res.body.session_id });
    expect(opened.map((e) => e.action)).toEqual(['session.opened']);
  });

  it('delivers the same credential again for a second session', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    const first = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    const second = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    expect(second.status).toBe(201);
    const a = await h.technicianVault(first.body.wrap_token).unwrap();
    const b = await h.technicianVault(second.body.wrap_token).unwrap();
    expect(b.data.accessor).toBe(a.data.accessor);
  });

  it('gives database credentials whose lease lives as long as the grant', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id, 'db-read-only');
    const grant = await database.db('grants').where({ id }).first();
    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    expect(res.status).toBe(201);
    const creds = await h.technicianVault(res.body.wrap_token).unwrap();
    expect(creds.data).toMatchObject({
      username: expect.any(String),
      lease_id: grant.vault_lease_id,
    });

    const lease = await vault.admin.call('PUT', 'sys/leases/lookup', {
      lease_id: grant.vault_lease_id,
    });
    expect(lease!.data.ttl).toBeGreaterThan(1790);
    expect(lease!.data.ttl).toBeLessThanOrEqual(1800);
  });

  it('signs an SSH key at checkout, valid exactly as long as the grant has left', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id, 'ssh');
    const missing = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization)
      .send({});
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('checkout.public_key_required');

    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization)
      .send({ public_key: sshPublicKey() });
    expect(res.status).toBe(201);
    const signed = await h.technicianVault(res.body.wrap_token).unwrap();
    const cert = parseCertificate(signed.data.signed_key as string);
    expect(cert.validBefore - cert.validAfter).toBeGreaterThan(1790);
    expect(cert.validBefore - cert.validAfter).toBeLessThanOrEqual(1800);
    expect(cert.principals).toEqual(['ubuntu']);
  });

  it.each([
    ['revoking', 409, 'grant.revoked'],
    ['revoked', 409, 'grant.revoked'],
    ['expired', 409, 'grant.expired'],
    ['failed', 409, 'grant.not_active'],
    ['issuing', 409, 'grant.not_active'],
  ])('refuses a %s grant with %s %s', async (status, code, errorCode) => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    await database.db('grants').where({ id }).update({ status });
    const sessions = await database.db('access_sessions').count({ n: '*' }).first();

    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    expect(res.status).toBe(code);
    expect(res.body.error.code).toBe(errorCode);
    expect(await database.db('access_sessions').count({ n: '*' }).first()).toEqual(sessions);
  });

  it('refuses a grant past its end even before expiry has run', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    await database
      .db('grants')
      .where({ id })
      .update({ ends_at: new Date(Date.now() - 1000) });
    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('grant.expired');
  });

  it('refuses someone else’s grant and unknown ids, writing nothing', async () => {
    const holder = await technician();
    const other = await technician();
    const id = await activeGrant(holder.id);
    const before = await database.db('access_sessions').count({ n: '*' }).first();

    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', other.authorization);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('grant.not_holder');
    for (const bad of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const unknown = await request(h.app)
        .post(`/grants/${bad}/checkout`)
        .set('authorization', holder.authorization);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('grant.not_found');
    }
    expect(await database.db('access_sessions').count({ n: '*' }).first()).toEqual(before);
  });

  it('delivers to both of two checkouts of one grant made at once', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    const both = await Promise.all(
      [1, 2].map(() =>
        request(h.app).post(`/grants/${id}/checkout`).set('authorization', tech.authorization),
      ),
    );
    expect(both.map((res) => res.status)).toEqual([201, 201]);
    const [a, b] = await Promise.all(
      both.map((res) => h.technicianVault(res.body.wrap_token).unwrap()),
    );
    expect(b!.data.accessor).toBe(a!.data.accessor);
    const sessions = await database.db('access_sessions').where({ grant_id: id });
    expect(sessions.map((row) => row.id).sort()).toEqual(
      both.map((res) => res.body.session_id).sort(),
    );
    // The grant is parked for a third session.
    const third = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    expect(third.status).toBe(201);
  });

  it('refuses, writing nothing, when the grant is revoked while Vault works', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    const parked = await database.db('grants').where({ id }).first('parked_wrap_sealed');
    const events = await database.db('audit_events').count({ n: '*' }).first();
    // Vault answers the unwrap just as the grant is marked for revocation.
    const vault = {
      ...h.deps.vault,
      unwrap: async (tenant: string, token: string) => {
        await database.db('grants').where({ id }).update({ status: 'revoking' });
        return h.deps.vault.unwrap(tenant, token);
      },
    };
    const principal = await principalFor(
      database.db,
      new AccessTokens(h.config),
      tech.authorization.slice('Bearer '.length),
    );
    await expect(
      checkout({ ...h.deps, vault }, principal!, id, { clientIp: undefined, userAgent: undefined }),
    ).rejects.toMatchObject({ code: 'grant.revoked', status: 409 });
    expect(await database.db('access_sessions').where({ grant_id: id })).toEqual([]);
    expect(await database.db('grants').where({ id }).first('parked_wrap_sealed')).toEqual(parked);
    expect(await database.db('audit_events').count({ n: '*' }).first()).toEqual(events);
  });

  it('answers vault.denied when Vault refuses a parking nobody renews', async () => {
    const tech = await technician();
    const id = await activeGrant(tech.id);
    // Someone else takes the credential out of its parking and never parks it again.
    const grant = await database.db('grants').where({ id }).first();
    await unpark(h.deps.vault, h.config.totpKeys, grant);
    const res = await request(h.app)
      .post(`/grants/${id}/checkout`)
      .set('authorization', tech.authorization);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('vault.denied');
    expect(await database.db('access_sessions').where({ grant_id: id })).toEqual([]);
  });

  it('answers 401 without a token', async () => {
    const res = await request(h.app).post('/grants/00000000-0000-4000-8000-000000000000/checkout');
    expect(res.status).toBe(401);
  });
});
