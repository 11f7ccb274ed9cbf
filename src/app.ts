/**
 * Builds the express app from its dependencies. Tests use it through
 * supertest; main.ts serves it. Routers are mounted here and nowhere else.
 */
import express, { type Express } from 'express';
import type { Config } from './platform/config';
import { databaseReachable, type Database } from './platform/database';
import { errorHandler, notFoundHandler } from './platform/http-errors';
import { jsonBody, noStore, requestContext } from './platform/http';
import { healthRoutes, type ReadinessCheck } from './health/health-routes';
import { AccessTokens } from './identity/access-tokens';
import { authenticate } from './identity/authenticate';
import { identityRoutes } from './identity/identity-routes';
import { accessDeps, accessRoutes, type AccessOptions } from './access/access-routes';
import { auditPublicKeyRoutes, auditRoutes } from './audit/audit-routes';
import { hookRoutes } from './hooks/hook-routes';
import { revocationRoutes } from './revocation/revocation-routes';
import { metricsHandler } from './revocation/metrics-routes';
import { auditSigner } from './audit/signing-key';
import { webRoutes } from './web/web-routes';
import { grantRoutes } from './grants/grant-routes';
import type { GrantVault } from './grants/grant-vault';
import { requestRevocation } from './revocation/request-revocation';

/** What the app is built from. */
export interface AppDeps {
  config: Config;
  db: Database;
  /** Extra readiness checks by name (Vault, once configured). */
  readiness?: Record<string, ReadinessCheck>;
  /** Policies, grant issuance and notifier for requests; defaults come from config. */
  access?: AccessOptions;
  /** Vault for checkout; without it the grant and session routes are not served. */
  vault?: GrantVault;
}

/** The broker's HTTP application. */
export function createApp(deps: AppDeps): Express {
  const { config, db } = deps;
  const tokens = new AccessTokens(config);
  const access = accessDeps({ config, db, ...deps.access });
  const identity = identityRoutes({ config, db, tokens });
  const app = express();
  app.disable('x-powered-by');
  // No ETags: every answer is computed for its caller, and express would hash
  // each body (a wrapping token, an access token) to make one.
  app.set('etag', false);
  // Behind a load balancer the client address comes from X-Forwarded-For;
  // trust exactly one hop, the balancer in front of us.
  app.set('trust proxy', 1);

  app.use(requestContext());
  // API answers carry access and wrapping tokens: no cache may keep any of them.
  app.use('/api/v1', noStore);
  app.use(healthRoutes({ database: () => databaseReachable(db), ...(deps.readiness ?? {}) }));
  // Offboarding hooks authenticate by HMAC over the raw body: before the API's JSON parser.
  app.use('/api/v1/hooks', hookRoutes({ db, config, tokens, signer: () => auditSigner(config) }));
  const metrics = metricsHandler({ db, overdueAfter: config.revocation.overdueAfter });
  if (config.metricsPublic) app.get('/metrics', metrics);

  const api = express.Router();
  api.use(jsonBody(config.bodyLimit));

  // Public routes first: sign-in, enrollment, hooks (HMAC), the audit key.
  api.use(auditPublicKeyRoutes(config));

  // Everything below needs a live access token.
  api.use(identity.public);
  api.use(authenticate(db, tokens));
  api.use(identity.authenticated);
  api.use(accessRoutes({ config, db, ...deps.access, policies: access.policies }));
  if (deps.vault) {
    api.use(
      grantRoutes({
        db,
        config,
        vault: deps.vault,
        policies: access.policies,
        endGrant: requestRevocation,
      }),
    );
  }
  api.use(auditRoutes(config, db));
  api.use(revocationRoutes({ db, config }));

  app.use('/api/v1', api);
  // The web form: pages over the same services, behind an HttpOnly cookie.
  const vault = deps.vault;
  const grants = vault && {
    db,
    config,
    vault,
    policies: access.policies,
    endGrant: requestRevocation,
  };
  app.use(webRoutes({ config, db, tokens, access, grants }));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
