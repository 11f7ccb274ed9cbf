/**
 * The body of POST /requests and of the decisions, checked with zod. Shapes
 * and sizes are checked here (400 `request.invalid`); the rules that need the
 * policy or the database (duration within the profile, ticket required...)
 * are checked by the service with their own codes.
 */
import { z } from 'zod';
import { plainText, tenantSlug } from './parse-input';

/** The shortest justification accepted, in characters. */
export const MIN_JUSTIFICATION = 10;

/** POST /requests. `duration` is parsed by the service (request.duration_invalid). */
export const requestBody = z.strictObject({
  tenant: tenantSlug,
  profile: z
    .string({ error: 'must be a profile name' })
    .regex(/^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/, 'must be a profile name'),
  duration: z.union([z.string().max(32), z.number()], {
    error: 'must be a duration like 2h or whole seconds',
  }),
  justification: plainText(2000),
  ticket: plainText(100).nullish(),
});

/** A checked request body. */
export type RequestInput = z.infer<typeof requestBody>;

/** POST /requests/:id/approve: the note is optional. */
export const approveBody = z.strictObject({ note: plainText(2000).nullish() });

/** POST /requests/:id/deny: a reason is owed to the requester. */
export const denyBody = z.strictObject({
  note: plainText(2000).pipe(z.string().trim().min(1, 'must give a reason')),
});

/** The Idempotency-Key header: printable ASCII, as most APIs accept. */
export const idempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 printable ASCII characters');

/** The :id of a request route. */
export const requestParams = z.object({ id: z.uuid({ error: 'must be a request id' }) });
