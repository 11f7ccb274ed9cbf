/** Request bodies of the sign-in, enrollment and admin routes, checked with zod. */
import { z } from 'zod';
import { ROLES } from './roles';

// Secrets are bounded so that no request makes scrypt or the database work on
// megabytes; otherwise they are opaque and not trimmed.
const secret = (max: number) => z.string({ error: 'must be a text' }).min(1).max(max);

// Control characters hide text in terminals and logs; a name has no use for them.
const CONTROL = /\p{Cc}/u;
const displayName = z
  .string({ error: 'must be a text' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((value) => !CONTROL.test(value), 'must not contain control characters');

/** POST /auth/login */
export const loginBody = z.strictObject({
  email: z.string({ error: 'must be a text' }).min(3).max(320),
  password: secret(1024),
});

/** POST /auth/mfa */
export const mfaBody = z.strictObject({ challenge: secret(128), code: secret(64) });

/** POST /auth/step-up */
export const stepUpBody = z.strictObject({ code: secret(64) });

/** POST /auth/enroll */
export const enrollBody = z.strictObject({ enrollment_token: secret(128), password: secret(1024) });

/** POST /auth/enroll/confirm */
export const confirmBody = z.strictObject({ enrollment_token: secret(128), code: secret(64) });

/** POST /technicians */
export const technicianBody = z.strictObject({
  email: z.email({ error: 'must be an email address' }).max(320),
  display_name: displayName,
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
  auditor_tenant: z.string().max(40).optional(),
});

/** Route parameters naming a technician. */
export const technicianParams = z.object({ id: z.uuid({ error: 'must be a technician id' }) });
