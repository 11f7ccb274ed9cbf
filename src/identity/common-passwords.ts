/**
 * The list of common passwords that NIST SP 800-63B asks to refuse. It comes
 * from the maintained `@zxcvbn-ts/language-common` package (about 49,000
 * passwords seen in breaches, most frequent first), bundled with the broker:
 * no network call is made to check a password.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

let common: Set<string> | undefined;

/** Whether `password`, ignoring case, is on the common-password list. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));
  return common.has(password.toLowerCase());
}
