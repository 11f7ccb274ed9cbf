/**
 * Turns a request body or path parameters into typed values with a zod
 * schema, or a 400 whose message names the first field at fault. Nothing is
 * written before this passes (DESIGN.md invariant 9).
 */
import type { z } from 'zod';
import { badRequest } from '../platform/errors';

/** The parsed value, or a 400 with `code`. */
export function validateInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code: string,
): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field =
    issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.map(String).join('.');
  const reason = issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.message;
  throw badRequest(code, field ? `${field}: ${reason}` : reason, { field });
}
