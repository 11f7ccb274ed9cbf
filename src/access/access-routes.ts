/**
 * Builds the tenant and request routers from the app's dependencies, with
 * defaults for what the caller does not supply: the policy set from
 * POLICY_DIR, grant issuance that leaves grants in `issuing`, and the webhook
 * notifier when NOTIFY_WEBHOOK_URL is set.
 */
import { Router } from 'express';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { silentNotifier, type Notifier } from '../notifications/notifier';
import { WebhookNotifier } from '../notifications/webhook-notifier';
import { loadPolicySet, type PolicySet } from '../policies/policy-set';
import { tenantRoutes } from '../tenants/tenant-routes';
import type { AccessDeps } from './access-deps';
import { pendingIssuance, type GrantIssuance } from './grant-issuance';
import { requestRoutes } from './request-routes';

/** What the app may supply for requests; anything left out gets its default. */
export interface AccessOptions {
  policies?: () => PolicySet;
  issuance?: GrantIssuance;
  notifier?: Notifier;
}

/** The routes for tenants, assignments, profiles and requests. */
export function accessRoutes(options: AccessOptions & { config: Config; db: Database }): Router {
  const deps = accessDeps(options);
  const router = Router();
  router.use(tenantRoutes(deps));
  router.use(requestRoutes(deps));
  return router;
}

/** The request services' dependencies, with defaults from the configuration. */
export function accessDeps(options: AccessOptions & { config: Config; db: Database }): AccessDeps {
  const { config } = options;
  let policies = options.policies;
  if (!policies) {
    // Loaded once, here, so that a broken policy file fails the app at build time.
    const set = loadPolicySet(config.policyDir);
    policies = () => set;
  }
  const notifier =
    options.notifier ??
    (config.notifyWebhook ? new WebhookNotifier(config.notifyWebhook) : silentNotifier);
  return {
    db: options.db,
    policies,
    issuance: options.issuance ?? pendingIssuance,
    notifier,
    pendingTtl: config.requestPendingTtl,
    stepUpMaxAge: config.stepUpMaxAge,
  };
}
