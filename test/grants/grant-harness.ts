/**
 * A harness for grant tests: a migrated database, a set-up Vault (stand-in
 * unless a real Vault is given), the shipped policies, and an express app with
 * the grant routes behind real authentication.
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import createNodeVault from 'node-vault';
import { AccessTokens } from '../../src/identity/access-tokens';
import { authenticate } from '../../src/identity/authenticate';
import { loadPolicySet } from '../../src/policies/policy-set';
import type { Database } from '../../src/platform/database';
import { errorHandler, notFoundHandler } from '../../src/platform/http-errors';
import { jsonBody, requestContext } from '../../src/platform/http';
import { grantRoutes } from '../../src/grants/grant-routes';
import { VaultGrantIssuance } from '../../src/grants/issue-grant';
import { testConfig } from '../support/factories';
import type { VaultFixture } from '../vault/vault-fixture';

/** The shipped access profiles. */
export const policies = loadPolicySet('policies');

/** Everything a grant test works with. */
export function grantHarness(db: Database, vault: VaultFixture) {
  const config = testConfig();
  // Expiry jobs stay in the job outbox until a test relays them (relayAll),
  // so that no relay runs after a test file has dropped its database.
  const outbox = { nudge: () => undefined };
  const deps = { db, config, vault: vault.services, policies: () => policies, outbox };
  const issuance = new VaultGrantIssuance(deps);

  const app = express();
  app.use(requestContext());
  app.use(jsonBody('64kb'));
  app.use(authenticate(db, new AccessTokens(config)));
  app.use(grantRoutes(deps));
  app.use(notFoundHandler);
  app.use(errorHandler);

  /** A grant row in `issuing`, as an approval leaves it. */
  async function issuingGrant(
    technicianId: string,
    tenant: string,
    profile: string,
    seconds = 1800,
  ) {
    const kind = policies.profile(tenant, profile)!.credential;
    const requestId = randomUUID();
    const now = new Date();
    await db('access_requests').insert({
      id: requestId,
      tenant,
      technician_id: technicianId,
      profile,
      duration_seconds: seconds,
      justification: 'investigating ticket 4711',
      status: 'approved',
      policy_hash: policies.hash,
      expires_at: now,
      decided_at: now,
    });
    const id = randomUUID();
    await db('grants').insert({
      id,
      request_id: requestId,
      tenant,
      technician_id: technicianId,
      profile,
      credential_kind: kind,
      status: 'issuing',
      starts_at: now,
      ends_at: new Date(now.getTime() + seconds * 1000),
    });
    return id;
  }

  /** A node-vault client as the technician's own tools would make it. */
  function technicianVault(token: string) {
    return createNodeVault({ endpoint: vault.addr, token, noCustomHTTPVerbs: true });
  }

  return { app, config, deps, issuance, issuingGrant, technicianVault };
}
