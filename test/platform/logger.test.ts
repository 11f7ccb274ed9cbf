import { logger, REDACTED } from '../../src/platform/logger';
import { captureLogs } from '../support/log-capture';

describe('log redaction', () => {
  it.each([
    ['password', 'correct horse battery staple'],
    ['token', 'eyJhbGciOiJIUzI1NiJ9.payload.sig'],
    ['wrap_token', 's.wrapwrapwrap'],
    ['client_secret', 'shh-secret-value'],
    ['totp', '123456'],
    ['otp_code', '654321'],
    ['authorization', 'Bearer abc.def.ghi'],
    ['cookie', 'session=abcdef'],
    ['recovery_code', 'ABCD-EFGH'],
    ['privateKey', '-----BEGIN PRIVATE KEY-----'],
  ])('replaces the value under %s', (key, value) => {
    const logs = captureLogs();
    logger.info('something happened', { [key]: value, tenant: 'acme' });
    logs.stop();
    expect(logs.text()).not.toContain(value);
    expect(logs.text()).toContain(REDACTED);
    expect(logs.text()).toContain('acme');
  });

  it('redacts nested secrets and keeps the rest', () => {
    const logs = captureLogs();
    logger.warn('vault answered', {
      grant_id: 'g-1',
      response: { auth: { client_token: 'hvs.SECRETSECRET', accessor: 'acc-1' } },
      list: [{ password: 'pw-in-a-list' }],
    });
    logs.stop();
    expect(logs.text()).not.toMatch(/hvs\.SECRETSECRET|pw-in-a-list/);
    expect(logs.text()).toContain('acc-1');
    expect(logs.text()).toContain('g-1');
  });

  it('keeps error codes, which are not secrets', () => {
    const logs = captureLogs();
    logger.info('request refused', { error_code: 'auth.invalid_credentials' });
    logs.stop();
    expect(logs.text()).toContain('auth.invalid_credentials');
  });
});
