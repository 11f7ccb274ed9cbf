/**
 * The whole technician flow through a started broker (real PostgreSQL, the
 * Vault stand-in as development starts it): an auto-approved request becomes
 * an active grant, checkout delivers a credential that works once unwrapped,
 * and afterwards neither the database nor the log holds any issued secret.
 */
import createNodeVault from 'node-vault';
import request from 'supertest';
import { startBroker, type RunningBroker } from '../../src/server';
import { useTestDatabase } from '../support/database';
import { assign, createTenant, createTechnician, signIn, testConfig } from '../support/factories';
import { captureLogs } from '../support/log-capture';

const database = useTestDatabase();
let broker: RunningBroker;
const config = () => testConfig({ DATABASE_URL: database.url, PORT: '0' });

beforeAll(async () => {
  broker = await startBroker(config());
});
afterAll(async () => {
  await broker?.stop();
});

/** Every row of every table of the broker's schemas, as text. */
async function databaseText(): Promise<string> {
  const tables = await database
    .db('pg_tables')
    .whereIn('schemaname', ['public', 'graphile_worker'])
    .select('schemaname', 'tablename');
  const parts: string[] = [];
  for (const { schemaname, tablename } of tables) {
    const rows = await database.db.raw(
      `select t::text as row from "${schemaname}"."${tablename}" t`,
    );
    parts.push(...rows.rows.map((r: { row: string }) => r.row));
  }
  return parts.join('\n');
}

describe('request, grant, checkout, end', () => {
  it('delivers a working credential once and leaves no secret behind', async () => {
    const logs = captureLogs();
    const tenant = await createTenant(database.db);
    const tech = await createTechnician(database.db);
    await assign(database.db, tenant, tech.id);
    const { authorization } = await signIn(database.db, config(), tech.id);
    const api = request(broker.url);

    const created = await api.post('/api/v1/requests').set({ authorization }).send({
      tenant,
      profile: 'read-only',
      duration: '30m',
      justification: 'disk alert on the file server, ticket 4711',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'approved', grant_status: 'active' });
    const grantId = created.body.grant_id as string;

    const checkout = await api
      .post(`/api/v1/grants/${grantId}/checkout`)
      .set({ authorization })
      .send({});
    expect(checkout.status).toBe(201);
    const vault = (token: string) =>
      createNodeVault({ endpoint: checkout.body.vault_addr, token, noCustomHTTPVerbs: true });
    const unwrapped = await vault(checkout.body.wrap_token).unwrap();
    const secret = unwrapped.data.token as string;
    const self = await vault(secret).tokenLookupSelf();
    expect(self.data.meta).toMatchObject({ grant_id: grantId, tenant });
    expect(self.data.policies).toContain(`${tenant}-read-only`);

    const closed = await api
      .post(`/api/v1/sessions/${checkout.body.session_id}/close`)
      .set({ authorization });
    expect(closed.status).toBe(200);
    logs.stop();

    const actions = await database
      .db('audit_events')
      .where({ tenant })
      .orderBy('seq')
      .pluck('action');
    expect(actions).toEqual([
      'request.created',
      'request.approved',
      'grant.issuing',
      'grant.issued',
      'session.opened',
      'session.closed',
    ]);

    const stored = await databaseText();
    const logged = logs.text();
    // The token accessor is kept on purpose (it revokes, it cannot authenticate);
    // the token and the wrapping tokens must appear nowhere.
    expect(stored).toContain(self.data.accessor);
    for (const value of [secret, checkout.body.wrap_token]) {
      expect(stored).not.toContain(value);
      expect(logged).not.toContain(value);
    }
  });
});
