/**
 * Errors on web pages become HTML, never the API's JSON: a refusal (4xx) is
 * shown with the form's own message for its code (error-messages.ts); an
 * unknown error is logged once with the request id and shown as a generic
 * page. A visitor who is not signed in is sent to the sign-in page.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { AppError } from '../platform/errors';
import { logger } from '../platform/logger';
import { currentContext } from '../platform/request-context';
import { messageFor } from './error-messages';
import type { PageRenderer } from './web-page';

/** What a page shows about a refusal. */
export interface ShownError {
  code: string;
  message: string;
  status: number;
  requestId: string | undefined;
}

// express's body parser marks its own errors with `type` and `status`.
function fromBodyParser(error: unknown): AppError | undefined {
  const { type } = (error ?? {}) as { type?: string };
  if (type === 'entity.too.large') return new AppError('request.too_large', 413, 'Too large');
  if (type === 'request.aborted') return new AppError('request.aborted', 400, 'Aborted');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') {
    return new AppError('request.unsupported_encoding', 415, 'Unsupported encoding');
  }
  if (type === 'parameters.too.many') return new AppError('web.invalid_form', 413, 'Too many');
  return undefined;
}

/** The refusal a form can show, or undefined for an error that is ours (5xx, unknown). */
export function shownError(error: unknown): ShownError | undefined {
  const known = error instanceof AppError ? error : fromBodyParser(error);
  if (!known || known.status >= 500) return undefined;
  if (known.detail) logger.info('web request refused', { error_code: known.code });
  return {
    code: known.code,
    message: messageFor(known.code, known.message),
    status: known.status,
    requestId: currentContext()?.requestId,
  };
}

/** Renders `template` again with the refusal, or rethrows an error that is ours. */
export function renderRefusal(
  pages: PageRenderer,
  req: Request,
  res: Response,
  error: unknown,
  template: string,
  values: Record<string, unknown> = {},
) {
  const shown = shownError(error);
  if (!shown) throw error;
  pages.render(req, res, template, { ...values, error: shown }, shown.status);
}

/** The last error handler of the web router. */
export function webErrorHandler(pages: PageRenderer): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const shown = shownError(error);
    if (shown?.status === 401 && shown.code === 'auth.unauthenticated') {
      return res.redirect(303, '/sign-in');
    }
    if (shown) {
      return pages.render(
        req,
        res,
        'error.njk',
        { error: shown, heading: 'Not done' },
        shown.status,
      );
    }
    logger.error('unexpected error', { error });
    const requestId = currentContext()?.requestId;
    const failure = { code: 'internal', message: messageFor('internal', ''), requestId };
    pages.render(req, res, 'error.njk', { error: failure }, 500);
  };
}
