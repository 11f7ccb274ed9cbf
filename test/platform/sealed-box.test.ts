import { randomBytes } from 'node:crypto';
import { open, seal, type RingKey } from '../../src/platform/sealed-box';

const older: RingKey = { id: 'k1', key: randomBytes(32) };
const newer: RingKey = { id: 'k2', key: randomBytes(32) };

describe('sealed values', () => {
  it('open with the ring that sealed them, many times over', () => {
    for (let i = 0; i < 3; i++) {
      const sealed = seal([newer, older], 'grant parking', 'grant-1', `secret ${i}`);
      expect(sealed.keyId).toBe('k2');
      expect(sealed.sealed).not.toContain('secret');
      expect(open([newer, older], 'grant parking', 'grant-1', sealed)).toBe(`secret ${i}`);
    }
  });

  it('open after rotation while the old key is still listed, and not once it is gone', () => {
    const sealed = seal([older], 'grant parking', 'grant-1', 'secret');
    expect(open([newer, older], 'grant parking', 'grant-1', sealed)).toBe('secret');
    expect(() => open([newer], 'grant parking', 'grant-1', sealed)).toThrow();
  });

  it.each([
    ['another row', 'grant parking', 'grant-2'],
    ['another purpose', 'totp secret', 'grant-1'],
  ])('do not open for %s', (_case, purpose, binding) => {
    const sealed = seal([older], 'grant parking', 'grant-1', 'secret');
    expect(() => open([older], purpose, binding, sealed)).toThrow();
  });

  it('do not open with the same id on another key', () => {
    const sealed = seal([older], 'grant parking', 'grant-1', 'secret');
    const impostor = { id: 'k1', key: randomBytes(32) };
    expect(() => open([impostor], 'grant parking', 'grant-1', sealed)).toThrow();
  });

  it('do not open when one character of the ciphertext changed', () => {
    const sealed = seal([older], 'grant parking', 'grant-1', 'secret');
    // The first character of a part carries six whole bits, never padding.
    const [iv, tag, body] = sealed.sealed.split('.') as [string, string, string];
    const changed = (body.startsWith('A') ? 'B' : 'A') + body.slice(1);
    const altered = { ...sealed, sealed: [iv, tag, changed].join('.') };
    expect(() => open([older], 'grant parking', 'grant-1', altered)).toThrow();
  });
});
