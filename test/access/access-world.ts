/**
 * A small world for request tests: one tenant with an assigned technician, two
 * managers, an admin; another tenant with its own manager; an auditor; a
 * disabled technician. Built directly in the database with the factories.
 */
import request from 'supertest';
import { createApp } from '../../src/app';
import type { Notifier, RequestNotice } from '../../src/notifications/notifier';
import type { Database } from '../../src/platform/database';
import type { Config } from '../../src/platform/config';
import { assign, createTechnician, createTenant, signIn, testConfig } from '../support/factories';

/** Row counts of every table a request could write to. */
export async function rowCounts(db: Database) {
  const tables = [
    'access_requests',
    'approvals',
    'grants',
    'audit_events',
    'assignments',
    'tenants',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table] = Number((await db(table).count({ n: '*' }))[0]!.n);
  }
  return counts;
}

/** Builds the world; `stale` people passed MFA long ago (no step-up). */
export async function buildWorld(db: Database, config: Config = testConfig(), notifier?: Notifier) {
  const notices: RequestNotice[] = [];
  const issued: string[] = [];
  const app = createApp({
    config,
    db,
    access: {
      notifier: notifier ?? { notify: (notice) => notices.push(notice) },
      issuance: { issue: async (grantId) => void issued.push(grantId) },
    },
  });
  const tenant = await createTenant(db);
  const other = await createTenant(db);
  const tech = await createTechnician(db);
  const tech2 = await createTechnician(db);
  const manager = await createTechnician(db, { role: 'manager' });
  const manager2 = await createTechnician(db, { role: 'manager' });
  const otherManager = await createTechnician(db, { role: 'manager' });
  const admin = await createTechnician(db, { role: 'admin' });
  const auditor = await createTechnician(db, { role: 'auditor', auditorTenant: tenant });
  const unassigned = await createTechnician(db);
  const disabled = await createTechnician(db);
  await assign(db, tenant, tech.id);
  await assign(db, tenant, tech2.id);
  await assign(db, tenant, disabled.id);
  await assign(db, tenant, manager.id, 'manager');
  await assign(db, tenant, manager2.id, 'manager');
  await assign(db, other, otherManager.id, 'manager');
  await assign(db, other, unassigned.id);

  const auth = async (id: string, mfaAgoSeconds = 0) =>
    (await signIn(db, config, id, { mfaAgoSeconds })).authorization;
  const people = {
    tech: await auth(tech.id),
    tech2: await auth(tech2.id),
    techStale: await auth(tech.id, 3600),
    manager: await auth(manager.id),
    manager2: await auth(manager2.id),
    managerStale: await auth(manager.id, 3600),
    otherManager: await auth(otherManager.id),
    admin: await auth(admin.id),
    auditor: await auth(auditor.id),
    unassigned: await auth(unassigned.id),
    disabled: await auth(disabled.id),
  };
  await db('technicians').where({ id: disabled.id }).update({ status: 'disabled' });

  /** POST /requests as `who`. */
  const ask = (who: string, body: Record<string, unknown>, key?: string) => {
    const call = request(app).post('/api/v1/requests').set('authorization', who);
    if (key) call.set('idempotency-key', key);
    return call.send(body);
  };
  /** POST /requests/:id/<action> as `who`. */
  const act = (who: string, id: string, action: string, body: Record<string, unknown> = {}) =>
    request(app).post(`/api/v1/requests/${id}/${action}`).set('authorization', who).send(body);

  const readOnly = (extra: Record<string, unknown> = {}) => ({
    tenant,
    profile: 'read-only',
    duration: '2h',
    justification: 'Checking the backup job logs',
    ...extra,
  });
  const adminBody = (extra: Record<string, unknown> = {}) => ({
    tenant,
    profile: 'admin',
    duration: '1h',
    justification: 'Patching the domain controller',
    ticket: 'PSA-1234',
    ...extra,
  });

  return {
    app,
    config,
    tenant,
    other,
    ids: { tech, tech2, manager, manager2, otherManager, admin, auditor, unassigned, disabled },
    people,
    notices,
    issued,
    ask,
    act,
    readOnly,
    adminBody,
  };
}
