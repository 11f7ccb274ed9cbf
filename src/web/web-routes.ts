/**
 * The web form: server-rendered pages over the same service functions as the
 * API, for a browser holding its access token in an HttpOnly cookie. Mounted
 * at / after the API, so it never sees /api/v1 traffic it could answer.
 *
 * Every page gets helmet's headers with a strict Content-Security-Policy (no
 * script at all, styles from our one stylesheet, images from us or the QR
 * code's data: URL, forms only to us, no framing). Every form post is
 * urlencoded, parsed here and nowhere else (the API stays JSON-only), and
 * must carry its CSRF token (csrf.ts). Every post answers with a redirect or
 * with a page that must not be re-posted on reload.
 */
import express, { Router } from 'express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import type { AccessDeps } from '../access/access-deps';
import type { CheckoutDeps } from '../grants/checkout';
import type { AccessTokens } from '../identity/access-tokens';
import { authRateLimit } from '../identity/auth-rate-limit';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import type { SessionDeps } from '../sessions/access-sessions';
import { accessPages } from './access-pages';
import { adminPages } from './admin-pages';
import { approvalPages } from './approval-pages';
import { auditPages } from './audit-pages';
import { CsrfTokens } from './csrf';
import { enrollmentPages } from './enrollment-pages';
import { requestPages } from './request-pages';
import { signInPages } from './sign-in-pages';
import { webAssetDir } from './web-assets';
import { webErrorHandler } from './web-errors';
import { PageRenderer } from './web-page';
import { webSession } from './web-session';
import { createViews } from './web-views';

/** What the web form is built from: the same services the API routes use. */
export interface WebDeps {
  config: Config;
  db: Database;
  tokens: AccessTokens;
  /** Requests and approvals. */
  access: AccessDeps;
  /** Checkout and access sessions; absent when no Vault is configured. */
  grants?: CheckoutDeps & SessionDeps;
}

/** helmet with the web form's Content-Security-Policy. */
export function webSecurityHeaders(config: Pick<Config, 'env'>) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        // Plain http is only for development and tests on localhost.
        ...(config.env === 'production' ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.env === 'production',
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** The web form's router. */
export function webRoutes(deps: WebDeps): Router {
  const { config, db, tokens } = deps;
  const csrf = new CsrfTokens(config);
  const pages = new PageRenderer(createViews(), csrf);
  const identity = { config, db, tokens };
  // LIMITATION: this limiter counts apart from the API's (identity-routes.ts
  // builds its own), so one address gets AUTH_RATE_LIMIT attempts on the web
  // form and as many again on the API per window. The per-account lockout,
  // which both share in PostgreSQL, still bounds guessing at any one account.
  // Every form that takes a password or an authenticator code (sign-in,
  // enrollment, approvals, the emergency) goes through it.
  const limiter = authRateLimit(config);
  // Parsed per form route, not for the whole router: nothing else needs it.
  const posted = [
    express.urlencoded({ extended: false, limit: config.bodyLimit, parameterLimit: 50 }),
    csrf.verify(),
  ];

  const router = Router();
  router.use(webSecurityHeaders(config));
  router.use('/static', express.static(webAssetDir('static'), { index: false, maxAge: '1h' }));
  router.use(cookieParser());
  router.use(webSession(config, db, tokens));

  router.use(signInPages(identity, pages, posted, limiter));
  router.use(enrollmentPages(identity, pages, posted, limiter));
  router.use(accessPages(deps, pages, posted));
  router.use(requestPages(deps, identity, pages, posted));
  router.use(approvalPages(deps, identity, pages, [limiter, ...posted]));
  router.use(adminPages(identity, pages, posted, limiter));
  router.use(auditPages(config, db, pages));

  router.use(webErrorHandler(pages));
  return router;
}
