/**
 * The ordered list of migrations. Listing them here, instead of letting knex
 * scan a folder, makes them load the same way from compiled JavaScript, from
 * ts-jest, and from the migrate script. Append new migrations at the end.
 */
import type { Knex } from 'knex';
import * as identity from './001-tenants-and-identity';
import * as access from './002-access';
import * as audit from './003-audit';
import * as hooks from './004-hooks';
import * as oneLiveRequest from './005-one-live-request';
import * as grantDelivery from './006-grant-delivery';
import * as jobQueue from './007-job-queue';
import * as auditAppendFunction from './008-audit-append-function';
import * as auditAppendEvents from './009-audit-append-events';
import * as jobOutbox from './010-job-outbox';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: [string, Migration][] = [
  ['001-tenants-and-identity', identity],
  ['002-access', access],
  ['003-audit', audit],
  ['004-hooks', hooks],
  ['005-one-live-request', oneLiveRequest],
  ['006-grant-delivery', grantDelivery],
  ['007-job-queue', jobQueue],
  ['008-audit-append-function', auditAppendFunction],
  ['009-audit-append-events', auditAppendEvents],
  ['010-job-outbox', jobOutbox],
];

/** knex's migrationSource over the list above. */
export const migrationSource: Knex.MigrationSource<[string, Migration]> = {
  getMigrations: async () => migrations,
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};

/** Names of every migration, in order. */
export const migrationNames = migrations.map(([name]) => name);
