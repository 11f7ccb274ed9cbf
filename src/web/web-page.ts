/**
 * Rendering a page: the template's own values plus what every page needs (the
 * signed-in principal for the menu, the CSRF token for its forms, a notice
 * after a redirect). Pages are never cached by shared caches: they are
 * personal, and some show secrets once.
 */
import type { Request, Response } from 'express';
import type nunjucks from 'nunjucks';
import type { CsrfTokens } from './csrf';

// Notices shown after a redirect, by key: the query string names one, never
// carries text, so a crafted link cannot put words on our page.
const NOTICES: Record<string, string> = {
  'signed-out': 'You are signed out.',
  enrolled: 'Your authenticator is set up. Sign in with your password and a code.',
  requested: 'Your request was sent to the managers of this tenant for approval.',
  granted: 'Access granted: check it out below when you need it.',
  cancelled: 'Request cancelled.',
  'session-closed': 'Access session ended.',
  approved: 'Request approved.',
  denied: 'Request denied.',
  'tenant-created': 'Tenant created.',
  'technician-created': 'Technician created.',
  'technician-disabled': 'Technician disabled; their sessions ended and grants are revoking.',
  assigned: 'Assignment saved.',
  unassigned: 'Assignment removed.',
  'revoked-all': 'Emergency revocation started for every live grant.',
  revoked: 'Grant revocation started.',
};

/** Renders templates with the values every page shares. */
export class PageRenderer {
  constructor(
    private readonly views: nunjucks.Environment,
    private readonly csrf: CsrfTokens,
  ) {}

  /** Renders `template` with `values` and the shared ones, with `status`. */
  render(
    req: Request,
    res: Response,
    template: string,
    values: Record<string, unknown> = {},
    status = 200,
  ) {
    const notice = typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined;
    const html = this.views.render(template, {
      me: req.principal,
      csrf: this.csrf.tokenFor(this.csrf.bindingOf(req, res)),
      notice,
      path: req.path,
      ...values,
    });
    res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
  }
}
