/**
 * Helpers for testing the web form through supertest: a cookie jar agent and
 * the CSRF token read from a rendered page, as a browser would submit it.
 */
import type { Express } from 'express';
import request from 'supertest';

/** A supertest agent: keeps cookies between requests like a browser. */
export function browser(app: Express) {
  return request.agent(app);
}

/** The value of the `_csrf` hidden field of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no _csrf field on the page');
  return match[1];
}

/** The error code a web page shows, if any. */
export function errorCodeOf(html: string): string | undefined {
  return /data-error-code="([^"]+)"/.exec(html)?.[1];
}

/** The Set-Cookie header line for one cookie name. */
export function setCookieLine(headers: Record<string, unknown>, name: string): string | undefined {
  const lines = (headers['set-cookie'] as string[] | undefined) ?? [];
  return lines.find((line) => line.startsWith(`${name}=`));
}
