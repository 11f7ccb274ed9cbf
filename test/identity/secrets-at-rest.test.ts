import {
  hashPassword,
  verifyPassword,
  assertAcceptablePassword,
} from '../../src/identity/passwords';
import { openTotpSecret, sealTotpSecret } from '../../src/identity/totp-secret-box';
import { testConfig } from '../support/factories';

const keyA = { id: 'a', key: Buffer.alloc(32, 1) };
const keyB = { id: 'b', key: Buffer.alloc(32, 2) };

describe('password hashes', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('a long and unusual passphrase');
    expect(hash).not.toContain('passphrase');
    expect(await verifyPassword('a long and unusual passphrase', hash)).toBe(true);
    expect(await verifyPassword('a long and unusual passphrasE', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here')).not.toBe(
      await hashPassword('same password here'),
    );
  });

  it.each(['', 'scrypt$x$8$1$AA$AA', 'bcrypt$2b$...'])(
    'refuses the malformed hash %p',
    async (hash) => {
      expect(await verifyPassword('anything at all', hash)).toBe(false);
    },
  );

  it.each([
    ['auth.password_too_short', 'elevenchars'],
    ['auth.password_too_common', 'qwerty123456'],
  ])('refuses with %s', (code, password) => {
    expect(() => assertAcceptablePassword(password, 'x@msp.example')).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('accepts a long uncommon password, counting characters not bytes', () => {
    expect(() => assertAcceptablePassword('élan vital ☕', 'x@msp.example')).not.toThrow();
  });
});

describe('sealed TOTP secrets', () => {
  it('round-trips and records the key id', () => {
    const sealed = sealTotpSecret([keyA, keyB], 'tech-1', 'JBSWY3DPEHPK3PXPJBSWY3DP');
    expect(sealed.keyId).toBe('a');
    expect(sealed.sealed).not.toContain('JBSWY3DP');
    expect(openTotpSecret([keyB, keyA], 'tech-1', sealed)).toBe('JBSWY3DPEHPK3PXPJBSWY3DP');
  });

  it('still opens secrets sealed with an older key after rotation', () => {
    const sealed = sealTotpSecret([keyA], 'tech-1', 'SECRET');
    expect(openTotpSecret([keyB, keyA], 'tech-1', sealed)).toBe('SECRET');
  });

  it('refuses a missing key, another technician, or altered data', () => {
    const sealed = sealTotpSecret([keyA], 'tech-1', 'SECRET');
    expect(() => openTotpSecret([keyB], 'tech-1', sealed)).toThrow();
    expect(() => openTotpSecret([keyA], 'tech-2', sealed)).toThrow();
    const altered = {
      ...sealed,
      sealed: sealed.sealed.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    };
    expect(() => openTotpSecret([keyA], 'tech-1', altered)).toThrow();
  });

  it('reads TOTP_ENCRYPTION_KEY as a list of id:key, first one sealing', () => {
    const a = Buffer.alloc(32, 7).toString('base64');
    const b = Buffer.alloc(32, 8).toString('base64');
    const config = testConfig({ TOTP_ENCRYPTION_KEY: `new:${a},old:${b}` });
    expect(config.totpKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(sealTotpSecret(config.totpKeys, 't', 'S').keyId).toBe('new');
  });
});
