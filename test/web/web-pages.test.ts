import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createApp } from '../../src/app';
import { useTestDatabase } from '../support/database';
import { assign, createTenant, createTechnician, signIn, testConfig } from '../support/factories';
import { csrfFrom, errorCodeOf } from '../support/web-form';

const database = useTestDatabase();
const MARKUP = '<script>alert(1)</script><b onmouseover="x()">fix the backup job</b>';

async function rows(table: string) {
  const counted = await database.db(table).count({ count: '*' });
  return Number(counted[0]?.count);
}

// A signed-in browser for one technician: its cookie and the page CSRF token.
async function session(
  role: 'technician' | 'manager' | 'admin' | 'auditor',
  tenant?: string,
  mfaAgoSeconds = 0,
) {
  const config = testConfig();
  const app = createApp({ config, db: database.db });
  const person = await createTechnician(database.db, {
    role,
    auditorTenant: role === 'auditor' ? tenant : undefined,
  });
  const { token } = await signIn(database.db, config, person.id, { mfaAgoSeconds });
  const cookie = `jit_session=${token}`;
  const get = (path: string) => request(app).get(path).set('cookie', cookie);
  const post = async (path: string, form: Record<string, string>) => {
    const page = await get(role === 'auditor' ? '/audit' : '/access');
    return request(app)
      .post(path)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...form });
  };
  const postRaw = (path: string, body: string) =>
    request(app).post(path).set('cookie', cookie).type('form').send(body);
  return { person, get, post, postRaw };
}

describe('web pages', () => {
  it('shows a justification containing markup escaped, to requester and manager', async () => {
    const tenant = await createTenant(database.db);
    const tech = await session('technician');
    const manager = await session('manager');
    await assign(database.db, tenant, tech.person.id);
    await assign(database.db, tenant, manager.person.id, 'manager');

    const form = await tech.get(`/requests/new?tenant=${tenant}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="admin"');
    const sent = await tech.post('/requests', {
      tenant,
      profile: 'admin',
      duration: '1h',
      justification: MARKUP,
      ticket: 'T-1',
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/access?notice=requested');

    for (const page of [await tech.get('/access'), await manager.get('/approvals')]) {
      expect(page.status).toBe(200);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).toContain('&lt;b onmouseover=&quot;x()&quot;&gt;');
      expect(page.text).not.toContain('<script>');
      expect(page.text).not.toContain('<b onmouseover');
    }
  });

  it('POST /requests beyond the profile maximum shows request.duration_exceeds_profile, writes nothing', async () => {
    const tenant = await createTenant(database.db);
    const tech = await session('technician');
    await assign(database.db, tenant, tech.person.id);
    const before = await rows('access_requests');

    const res = await tech.post('/requests', {
      tenant,
      profile: 'read-only',
      duration: '9h',
      justification: 'checking the nightly backup',
    });
    expect(res.status).toBe(400);
    expect(errorCodeOf(res.text)).toBe('request.duration_exceeds_profile');
    expect(await rows('access_requests')).toBe(before);
  });

  it('POST /requests on a tenant not assigned shows tenant.not_assigned, writes nothing', async () => {
    const tenant = await createTenant(database.db);
    const tech = await session('technician');
    const before = await rows('access_requests');
    const res = await tech.post('/requests', {
      tenant,
      profile: 'read-only',
      duration: '1h',
      justification: 'checking the nightly backup',
    });
    expect(res.status).toBe(403);
    expect(errorCodeOf(res.text)).toBe('tenant.not_assigned');
    expect(await rows('access_requests')).toBe(before);
  });

  it('a repeated field is refused with web.invalid_form and writes nothing', async () => {
    const tech = await session('technician');
    const before = await rows('access_requests');
    const page = await tech.get('/access');
    const res = await tech.postRaw(
      '/requests',
      `_csrf=${csrfFrom(page.text)}&tenant=a&tenant=b&profile=read-only`,
    );
    expect(res.status).toBe(400);
    expect(errorCodeOf(res.text)).toBe('web.invalid_form');
    expect(await rows('access_requests')).toBe(before);
  });

  it.each([
    ['technician', '/approvals', 403],
    ['technician', '/admin', 403],
    ['technician', '/audit', 403],
    ['manager', '/approvals', 200],
    ['admin', '/admin', 200],
    ['admin', '/audit', 200],
    ['auditor', '/audit', 200],
  ] as const)('%s GET %s answers %i', async (role, path, status) => {
    const person = await session(role);
    const res = await person.get(path);
    expect(res.status).toBe(status);
    if (status === 403) expect(errorCodeOf(res.text)).toBe('auth.forbidden_role');
  });

  it('an auditor reads their tenant and is refused another with audit.forbidden', async () => {
    const mine = await createTenant(database.db);
    const other = await createTenant(database.db);
    const auditor = await session('auditor', mine);
    expect((await auditor.get(`/audit/${mine}?verify=1`)).status).toBe(200);
    const refused = await auditor.get(`/audit/${other}`);
    expect(refused.status).toBe(403);
    expect(errorCodeOf(refused.text)).toBe('audit.forbidden');
  });

  it('GET /audit/:tenant/export downloads JSON Lines for an admin', async () => {
    const tenant = await createTenant(database.db);
    const admin = await session('admin');
    const res = await admin.get(`/audit/${tenant}/export`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    expect(res.headers['content-disposition']).toContain(`audit-${tenant}.jsonl`);
  });

  it('an admin creates a tenant through the form, audited, and a bad slug writes nothing', async () => {
    const admin = await session('admin');
    const before = await rows('tenants');
    const bad = await admin.post('/admin/tenants', { slug: 'Not A Slug', name: 'Bad' });
    expect(bad.status).toBe(400);
    expect(errorCodeOf(bad.text)).toBe('request.invalid');
    expect(await rows('tenants')).toBe(before);

    const ok = await admin.post('/admin/tenants', { slug: 'web-made', name: 'Web Made' });
    expect(ok.status).toBe(303);
    const event = await database
      .db('audit_events')
      .where({ tenant: 'web-made', action: 'tenant.created' })
      .first('actor_id');
    expect(event.actor_id).toBe(admin.person.id);
  });

  it('an admin creates a technician and sees the enrollment token once', async () => {
    const admin = await session('admin');
    const res = await admin.post('/admin/technicians', {
      email: 'new.tech@msp.example',
      display_name: 'New Tech',
      role: 'technician',
      auditor_tenant: '',
    });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toMatch(/id="enrollment-token">[A-Za-z0-9_-]{20,}</);
    const again = await admin.get('/admin');
    expect(again.text).not.toContain('id="enrollment-token"');
  });

  it('emergency revoke-all without a fresh MFA asks for a code and writes nothing', async () => {
    const admin = await session('admin', undefined, 3600);
    const before = await rows('hook_events');
    const res = await admin.post('/admin/emergency', { reason: 'platform compromised', code: '' });
    expect(res.status).toBe(403);
    expect(errorCodeOf(res.text)).toBe('auth.step_up_required');
    expect(await rows('hook_events')).toBe(before);
  });

  it('emergency revoke-all with a fresh MFA shows its receipt', async () => {
    const admin = await session('admin');
    const before = await rows('hook_events');
    const res = await admin.post('/admin/emergency', { reason: 'platform compromised', code: '' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="emergency-receipt"');
    expect(await rows('hook_events')).toBe(before + 1);
  });

  it('the holder revokes a grant with a reason; without one, or as a stranger, nothing changes', async () => {
    const tenant = await createTenant(database.db);
    const tech = await session('technician');
    const stranger = await session('technician');
    const grantId = await activeGrant(tech.person.id, tenant);
    const status = async () => (await database.db('grants').where({ id: grantId }).first()).status;

    const empty = await tech.post(`/grants/${grantId}/revoke`, { reason: '  ' });
    expect(empty.status).toBe(400);
    expect(errorCodeOf(empty.text)).toBe('grant.invalid');
    const refused = await stranger.post(`/grants/${grantId}/revoke`, { reason: 'not mine' });
    expect(refused.status).toBe(403);
    expect(errorCodeOf(refused.text)).toBe('grant.forbidden');
    expect(await status()).toBe('active');

    const done = await tech.post(`/grants/${grantId}/revoke`, { reason: 'work finished early' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/access?notice=revoked');
    expect(await status()).toBe('revoking');
  });
});

describe('approvals on the web form', () => {
  async function pendingRequest() {
    const tenant = await createTenant(database.db);
    const tech = await session('technician');
    await assign(database.db, tenant, tech.person.id);
    const sent = await tech.post('/requests', {
      tenant,
      profile: 'admin',
      duration: '1h',
      justification: 'rotate the service account keys',
      ticket: 'T-2',
    });
    expect(sent.status).toBe(303);
    const row = await database.db('access_requests').where({ tenant }).first('id');
    return { tenant, id: row.id as string };
  }

  const statusOf = async (id: string) =>
    (await database.db('access_requests').where({ id }).first('status')).status;

  it('a manager denies with a reason; without one the request stays pending', async () => {
    const { tenant, id } = await pendingRequest();
    const manager = await session('manager');
    await assign(database.db, tenant, manager.person.id, 'manager');

    const bare = await manager.post(`/requests/${id}/decide`, { decision: 'deny', note: '' });
    expect(bare.status).toBe(400);
    expect(errorCodeOf(bare.text)).toBe('request.invalid');
    expect(await statusOf(id)).toBe('pending');

    const denied = await manager.post(`/requests/${id}/decide`, {
      decision: 'deny',
      note: 'use the read-only profile',
    });
    expect(denied.status).toBe(303);
    expect(denied.headers.location).toBe('/approvals?notice=denied');
    expect(await statusOf(id)).toBe('denied');
  });

  it('a manager whose MFA is stale and gives no code gets auth.step_up_required', async () => {
    const { tenant, id } = await pendingRequest();
    const manager = await session('manager', undefined, 3600);
    await assign(database.db, tenant, manager.person.id, 'manager');
    const res = await manager.post(`/requests/${id}/decide`, { decision: 'approve', code: '' });
    expect(res.status).toBe(403);
    expect(errorCodeOf(res.text)).toBe('auth.step_up_required');
    expect(await statusOf(id)).toBe('pending');
  });

  it('a wrong code is invalid credentials and decides nothing', async () => {
    const { tenant, id } = await pendingRequest();
    const manager = await session('manager', undefined, 3600);
    await assign(database.db, tenant, manager.person.id, 'manager');
    const res = await manager.post(`/requests/${id}/decide`, {
      decision: 'approve',
      code: '000000',
    });
    expect(res.status).toBe(401);
    expect(errorCodeOf(res.text)).toBe('auth.invalid_credentials');
    expect(await statusOf(id)).toBe('pending');
  });
});

// An active grant of `technicianId` on `tenant`, as issuance leaves it.
async function activeGrant(technicianId: string, tenant: string) {
  const requestId = randomUUID();
  const now = new Date();
  await database.db('access_requests').insert({
    id: requestId,
    tenant,
    technician_id: technicianId,
    profile: 'read-only',
    duration_seconds: 1800,
    justification: 'checking the nightly backup',
    status: 'approved',
    policy_hash: 'test',
    expires_at: now,
    decided_at: now,
  });
  const id = randomUUID();
  await database.db('grants').insert({
    id,
    request_id: requestId,
    tenant,
    technician_id: technicianId,
    profile: 'read-only',
    credential_kind: 'vault-token',
    status: 'active',
    starts_at: now,
    ends_at: new Date(now.getTime() + 1800 * 1000),
  });
  return id;
}
