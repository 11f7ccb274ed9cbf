/**
 * Reading urlencoded form fields. A form field is a string or absent; a
 * repeated field (an array) or a nested one is malformed and refused with
 * 400 `web.invalid_form` before anything else runs. The service functions
 * then check the values with the same rules, and codes, as the API.
 */
import type { Request } from 'express';
import { badRequest } from '../platform/errors';

/** The named fields of a posted form, each a string ('' when absent). */
export function formFields<K extends string>(req: Request, names: readonly K[]): Record<K, string> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const fields = {} as Record<K, string>;
  for (const name of names) {
    const value = body[name];
    if (value !== undefined && typeof value !== 'string') {
      throw badRequest('web.invalid_form', `${name}: must be given once, as text`);
    }
    fields[name] = value ?? '';
  }
  return fields;
}

/** The client details sign-in records, as the API routes pass them. */
export function clientOf(req: Request) {
  return { ip: req.ip, userAgent: req.get('user-agent') };
}
