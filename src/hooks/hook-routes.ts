/**
 * The offboarding hooks, for HR systems, PSAs and identity providers:
 * `POST /hooks/technician-offboarded`, `POST /hooks/tenant-offboarded` and
 * `GET /hooks/receipts/:id`. Mounted at /api/v1/hooks before the API's JSON
 * parser and before authentication: the HMAC is computed over the raw body,
 * so this router reads the body as bytes itself. Receipts may also be read
 * by an admin with a bearer token.
 */
import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { parseInput, plainText, tenantSlug } from '../access/parse-input';
import type { AuditSigner } from '../audit/signing-key';
import type { AccessTokens } from '../identity/access-tokens';
import { bearerToken, principalFor } from '../identity/authenticate';
import type { Config } from '../platform/config';
import type { Database } from '../platform/database';
import { AppError, badRequest } from '../platform/errors';
import { bodyHash } from './hook-events';
import { findReceipt } from './hook-receipts';
import { verifyHookSignature } from './hook-signature';
import { offboardTechnician } from './offboard-technician';
import { offboardTenant } from './offboard-tenant';

const eventId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII');
const reason = plainText(500).refine((value) => value.trim().length > 0, 'must not be empty');

/** Body of technician-offboarded: the technician by id or by e-mail. */
export const technicianOffboardedBody = z.strictObject({
  event_id: eventId,
  technician: z.union([
    z.strictObject({ id: z.uuid({ error: 'must be a technician id' }) }),
    z.strictObject({ email: z.email().max(320) }),
  ]),
  reason,
});

/** Body of tenant-offboarded. */
export const tenantOffboardedBody = z.strictObject({
  event_id: eventId,
  tenant: tenantSlug,
  reason,
});

const receiptParams = z.object({ id: z.uuid({ error: 'must be a receipt id' }) });

/** What the hook routes are built from. */
export interface HookDeps {
  db: Database;
  config: Pick<Config, 'hookSecret' | 'bodyLimit'>;
  tokens: AccessTokens;
  signer: () => AuditSigner;
}

function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** Throws 401 unless the request's HMAC signature over its raw body is valid. */
function checkSignature(secret: string, req: Request) {
  verifyHookSignature(
    secret,
    { timestamp: req.get('x-hook-timestamp'), signature: req.get('x-hook-signature') },
    rawBody(req),
  );
}

/** Middleware: refuses any caller without a valid signature. */
function requireSignature(secret: string): RequestHandler {
  return (req, _res, next) => {
    checkSignature(secret, req);
    next();
  };
}

/** Parses the raw body as JSON, or 400 `hook.invalid`. */
function jsonOf(req: Request): unknown {
  if (!req.is('application/json')) {
    throw new AppError('request.unsupported_media_type', 415, 'Send the body as application/json');
  }
  try {
    return JSON.parse(rawBody(req).toString('utf8'));
  } catch {
    throw badRequest('hook.invalid', 'The body is not valid JSON');
  }
}

/** The hooks router. */
export function hookRoutes(deps: HookDeps): Router {
  const router = Router();
  router.use(express.raw({ type: () => true, limit: deps.config.bodyLimit }));
  const signed = requireSignature(deps.config.hookSecret);

  router.post('/technician-offboarded', signed, async (req, res) => {
    const event = parseInput(technicianOffboardedBody, jsonOf(req), 'hook.invalid');

    const result = await offboardTechnician(deps.db, event, bodyHash(rawBody(req)));

    res.status(result.repeated ? 200 : 201).json(result.receipt);
  });

  router.post('/tenant-offboarded', signed, async (req, res) => {
    const event = parseInput(tenantOffboardedBody, jsonOf(req), 'hook.invalid');

    const result = await offboardTenant(deps.db, deps.signer(), event, bodyHash(rawBody(req)));

    res.status(result.repeated ? 200 : 201).json(result.receipt);
  });

  router.get('/receipts/:id', async (req, res) => {
    const { id } = parseInput(receiptParams, req.params, 'hook.invalid');
    await authorizeReceiptReader(deps, req);

    res.json(await findReceipt(deps.db, id));
  });
  return router;
}

/** A signed caller (HMAC over the empty body) or an admin's bearer token. */
async function authorizeReceiptReader(deps: HookDeps, req: Request) {
  if (req.get('x-hook-signature') !== undefined) {
    checkSignature(deps.config.hookSecret, req);
    return;
  }
  const token = bearerToken(req.get('authorization'));
  const principal = token ? await principalFor(deps.db, deps.tokens, token) : undefined;
  if (!principal) throw new AppError('hook.bad_signature', 401, 'invalid credentials');
  if (principal.role !== 'admin') {
    throw new AppError('auth.forbidden_role', 403, 'Your role may not do this');
  }
}
