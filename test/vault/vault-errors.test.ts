import { AppError } from '../../src/platform/errors';
import { isAlreadyGone } from '../../src/vault/already-gone';
import { toVaultAppError } from '../../src/vault/vault-errors';

// The shapes node-vault 0.12 rejects with: network errors carry `code`, Vault
// answers carry `response.statusCode` and `response.body.errors`.
const network = (code: string) => Object.assign(new Error(code), { code });
const answer = (statusCode: number, errors: string[] = []) =>
  Object.assign(new Error(errors[0] ?? `Status ${statusCode}`), {
    response: { statusCode, body: { errors } },
  });

describe('Vault failures as broker errors', () => {
  it.each([
    ['connection refused', network('ECONNREFUSED'), 'vault.unavailable', 503],
    ['connection reset', network('ECONNRESET'), 'vault.unavailable', 503],
    ['request timeout', network('ECONNABORTED'), 'vault.unavailable', 503],
    ['internal error', answer(500, ['internal error']), 'vault.unavailable', 503],
    ['sealed', answer(503, ['Vault is sealed']), 'vault.unavailable', 503],
    ['bad request', answer(400, ['invalid role']), 'vault.denied', 502],
    ['permission denied', answer(403, ['permission denied']), 'vault.denied', 502],
    ['not found', answer(404), 'vault.denied', 502],
  ])('maps %s', (_name, error, code, status) => {
    const mapped = toVaultAppError(error, 'test', 'some/path');
    expect(mapped).toMatchObject({ code, status });
    expect(mapped.message).not.toContain(error.message);
  });

  it.each([
    [answer(400, ['invalid accessor']), true],
    [answer(400, ['invalid lease']), true],
    [answer(400, ['token not found']), true],
    [answer(404), true],
    [answer(400, ['invalid role']), false],
    [answer(403, ['permission denied']), false],
    [network('ECONNREFUSED'), false],
  ])('tells already-gone apart (%#)', (error, gone) => {
    expect(isAlreadyGone(toVaultAppError(error, 'revoke', 'x'))).toBe(gone);
  });

  it('passes an AppError through unchanged', () => {
    const original = new AppError('credential.public_key_invalid', 400, 'bad key');
    expect(toVaultAppError(original, 'test', 'x')).toBe(original);
  });
});
