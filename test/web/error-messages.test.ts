import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { knownCodes, messageFor } from '../../src/web/error-messages';

// Every stable code the broker's source throws: in an AppError or one of its
// helpers, or as the code argument of an input check.
const THROWN = [
  /(?:AppError|badRequest|unauthorized|forbidden|notFound|conflict)\(\s*'([a-z_]+\.[a-z_.]+)'/g,
  /(?:parseInput|validateInput)\([^;]*?,\s*'([a-z_]+\.[a-z_.]+)'\s*,?\s*\)/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function thrownCodes(): string[] {
  const codes = new Set<string>();
  for (const file of sourceFiles('src')) {
    // The Vault stand-in speaks Vault's API, not the broker's.
    if (file.includes('vault-standin')) continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of THROWN) {
      for (const match of text.matchAll(pattern)) codes.add(match[1]!);
    }
  }
  return [...codes].sort();
}

describe('web error messages', () => {
  it('the scan finds the codes it is meant to find', () => {
    expect(thrownCodes()).toEqual(
      expect.arrayContaining([
        'auth.invalid_credentials',
        'request.not_pending',
        'web.csrf_invalid',
      ]),
    );
  });

  it('has a message of its own for every error code the broker throws', () => {
    const known = new Set(knownCodes());
    expect(thrownCodes().filter((code) => !known.has(code))).toEqual([]);
  });

  it.each([
    ['request.invalid', 'note: must give a reason', true],
    ['web.invalid_form', 'tenant: must be given once, as text', true],
    ['auth.invalid_credentials', 'invalid credentials', false],
    ['request.not_pending', 'The request is approved', false],
  ])('%s shows the field detail of the API message: %s', (code, apiMessage, shown) => {
    const message = messageFor(code, apiMessage);
    expect(message).not.toBe('');
    expect(message.includes(apiMessage)).toBe(shown);
  });

  it('an unknown code falls back to the API message', () => {
    expect(messageFor('something.new', 'Safe API text')).toBe('Safe API text');
  });
});
