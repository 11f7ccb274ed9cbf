/** What the request services are built from. */
import type { Database } from '../platform/database';
import type { Notifier } from '../notifications/notifier';
import type { PolicySet } from '../policies/policy-set';
import type { GrantIssuance } from './grant-issuance';

/** The request services' dependencies; the app builds one of these. */
export interface AccessDeps {
  db: Database;
  /** The policy set in force (a function, so a reload can swap it). */
  policies: () => PolicySet;
  issuance: GrantIssuance;
  notifier: Notifier;
  /** Seconds a request may wait for a decision before it expires. */
  pendingTtl: number;
  /** Seconds an MFA check counts as fresh for elevated actions. */
  stepUpMaxAge: number;
}
