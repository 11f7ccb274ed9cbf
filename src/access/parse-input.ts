/**
 * Input checking shared by the tenant and request routes: a zod schema turns
 * a body into typed values or a 400 naming the first field at fault.
 */
import { z } from 'zod';
import { badRequest } from '../platform/errors';

// C0 and C1 control characters and DEL, except the line feed a justification
// may use: they hide text in terminals and logs and have no place in a name.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Plain text of at most `max` characters, without control characters. */
export function plainText(max: number) {
  return z
    .string({ error: 'must be a text' })
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL.test(value), 'must not contain control characters');
}

/** A tenant slug as the database accepts it. */
export const tenantSlug = z
  .string({ error: 'must be a tenant slug' })
  .regex(/^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/, 'must be a tenant slug (a-z, 0-9, -)');

/**
 * The parsed value, or a 400 with `code` whose message names the first field
 * at fault. Nothing is written before this passes.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code = 'request.invalid',
): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : path;
  const reason = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw badRequest(code, field ? `${field}: ${reason}` : reason, { field });
}
