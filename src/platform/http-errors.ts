/**
 * Maps every error to the one JSON error body the API answers with:
 * `{"error": {"code", "message", "request_id"}}`. Unknown errors become a
 * generic 500 whose cause is logged once, with the request id, and never sent.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from './errors';
import { logger } from './logger';
import { currentContext } from './request-context';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

/** Translates errors thrown by express's own body parser into AppErrors. */
function fromBodyParser(error: BodyParserError): AppError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AppError('request.malformed_json', 400, 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError('request.too_large', 413, 'The request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('request.unsupported_encoding', 415, 'Unsupported body encoding');
    case 'request.aborted':
      return new AppError('request.aborted', 400, 'The request was aborted');
    default:
      return undefined;
  }
}

/** The final error handler of the app. */
export const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const requestId = currentContext()?.requestId;
  const known =
    error instanceof AppError ? error : (fromBodyParser(error as BodyParserError) ?? undefined);

  if (known) {
    if (known.status >= 500) {
      logger.error('request failed', { error_code: known.code, detail: known.detail });
    } else if (known.detail) {
      logger.info('request refused', { error_code: known.code, detail: known.detail });
    }
    res.status(known.status).json({
      error: { code: known.code, message: known.message, request_id: requestId },
    });
    return;
  }

  logger.error('unexpected error', { error });
  res.status(500).json({
    error: {
      code: 'internal',
      message: 'Something went wrong on our side; the request id helps us find out what',
      request_id: requestId,
    },
  });
};

/** Answers 404 for any route nobody registered. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('route.not_found', 404, `No route for ${req.method} ${req.path}`));
};
