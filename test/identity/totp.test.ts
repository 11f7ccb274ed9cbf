import { execFileSync } from 'node:child_process';
import { checkTotpCode, newTotpSecret, totpUri } from '../../src/identity/totp';

// RFC 6238 appendix B, SHA-1 rows: the seed is the ASCII string below, codes
// have 8 digits and steps are 30 seconds.
const RFC_SEED = new TextEncoder().encode('12345678901234567890');
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('checkTotpCode', () => {
  it.each(RFC_VECTORS)('accepts the RFC 6238 SHA-1 vector at T=%d', async (epoch, code) => {
    const step = await checkTotpCode(RFC_SEED, code, { digits: 8, epoch, toleranceSteps: 0 });
    expect(step).toBe(Math.floor(epoch / 30));
  });

  it.each(RFC_VECTORS)(
    'refuses the vector for T=%d one step away without tolerance',
    async (epoch, code) => {
      const step = await checkTotpCode(RFC_SEED, code, {
        digits: 8,
        epoch: epoch + 60,
        toleranceSteps: 0,
      });
      expect(step).toBeUndefined();
    },
  );

  it('accepts a code from oathtool, an independent implementation', async () => {
    const secret = newTotpSecret();
    const now = Math.floor(Date.now() / 1000);
    const code = execFileSync('oathtool', ['--totp', '-b', '-N', `@${now}`, secret], {
      encoding: 'utf8',
    }).trim();
    expect(await checkTotpCode(secret, code, { epoch: now })).toBe(Math.floor(now / 30));
  });

  it('tolerates one step of drift either way and no more', async () => {
    const secret = newTotpSecret();
    const now = Math.floor(Date.now() / 1000);
    const at = (offset: number) =>
      execFileSync('oathtool', ['--totp', '-b', '-N', `@${now + offset}`, secret], {
        encoding: 'utf8',
      }).trim();
    expect(await checkTotpCode(secret, at(-30), { epoch: now })).toBeDefined();
    expect(await checkTotpCode(secret, at(30), { epoch: now })).toBeDefined();
    expect(await checkTotpCode(secret, at(-90), { epoch: now })).toBeUndefined();
    expect(await checkTotpCode(secret, at(90), { epoch: now })).toBeUndefined();
  });

  it('refuses a step at or before the last accepted one', async () => {
    const secret = newTotpSecret();
    const code = execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
    const step = await checkTotpCode(secret, code);
    expect(step).toBeDefined();
    expect(await checkTotpCode(secret, code, { afterStep: step })).toBeUndefined();
  });

  it.each(['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６'])(
    'treats the malformed code %p as wrong without throwing',
    async (code) => {
      expect(await checkTotpCode(newTotpSecret(), code)).toBeUndefined();
    },
  );

  it('builds an otpauth URI carrying the secret and issuer', () => {
    const secret = newTotpSecret();
    const uri = new URL(totpUri(secret, 'ana@msp.example'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('JIT access broker');
  });
});
