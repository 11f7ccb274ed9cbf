/**
 * Small HTTP building blocks shared by every router: request ids, the access
 * log line, JSON body parsing with strict content types, and an async wrapper.
 */
import { randomUUID } from 'node:crypto';
import express, { type RequestHandler } from 'express';
import { AppError } from './errors';
import { logger } from './logger';
import { runWithContext } from './request-context';

// A caller-supplied id is kept when it is short and plain, so that a proxy's
// id can follow the request through; anything else is replaced.
const CALLER_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Gives every request an id, echoes it as X-Request-Id, and logs the outcome. */
export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && CALLER_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();

    runWithContext({ requestId }, () => {
      res.on('finish', () => {
        if (!logger.isInfoEnabled()) return;
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info('request served', {
          request_id: requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          duration_ms: Math.round(ms * 10) / 10,
        });
      });
      next();
    });
  };
}

/** Middleware: marks the answer `Cache-Control: no-store`. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * Parses JSON bodies and refuses any other content type with 415. Bodyless
 * requests (no Content-Length and no Transfer-Encoding) pass untouched.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({ limit, type: () => true, strict: true });
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (!hasBody) return next();
    if (!req.is('application/json')) {
      return next(
        new AppError('request.unsupported_media_type', 415, 'Send the body as application/json'),
      );
    }
    next();
  };
  return [requireJson, parse];
}
