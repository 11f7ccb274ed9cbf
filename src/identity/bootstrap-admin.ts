/**
 * The first admin, made by `npm run admin -- bootstrap` on the server: there
 * is no default password, only a one-time enrollment token printed to the
 * operator who can run commands where the broker's configuration is.
 *
 * It refuses when an admin (active or pending) exists already, so that the
 * command cannot quietly mint admins on a running system; `force` overrides
 * this for the one recovery case it is for: every admin has lost their
 * authenticator and nobody is left to reset MFA through the API.
 */
import type { Actor } from '../audit/actions';
import { conflict } from '../platform/errors';
import { createTechnician, type AdminContext } from './technicians';

/** The actor recorded in the audit log for the command. */
export const BOOTSTRAP_ACTOR: Actor = { kind: 'system', id: 'admin-bootstrap' };

/** Creates an admin and returns their one-time enrollment token. */
export async function bootstrapAdmin(
  ctx: AdminContext,
  input: { email: string; displayName?: string; force?: boolean },
) {
  const existing = await ctx
    .db('technicians')
    .where({ role: 'admin' })
    .whereIn('status', ['active', 'pending'])
    .first('id');
  if (existing && !input.force) {
    throw conflict(
      'technician.admin_exists',
      'An admin exists already: create people through the API (or use --force to recover)',
    );
  }
  return createTechnician(ctx, BOOTSTRAP_ACTOR, {
    email: input.email,
    display_name: input.displayName ?? input.email.split('@')[0] ?? input.email,
    role: 'admin',
  });
}
