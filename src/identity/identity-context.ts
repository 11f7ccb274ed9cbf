/** What the identity services work with, built once per app. */
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import type { AccessTokens } from './access-tokens';

/** The database, configuration and token signer shared by identity services. */
export interface IdentityContext {
  db: Database;
  config: Config;
  tokens: AccessTokens;
}

/** Where a sign-in attempt comes from, kept on sessions and in audit events. */
export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}
