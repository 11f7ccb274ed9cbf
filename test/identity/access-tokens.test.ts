import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createApp } from '../../src/app';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/identity/access-tokens';
import { DEV_JWT_SECRET } from '../../src/platform/config';
import { createTechnician, signIn, testConfig } from '../support/factories';
import { useTestDatabase } from '../support/database';

const database = useTestDatabase();
const config = testConfig();
const app = () => createApp({ config, db: database.db });

function base64url(value: object) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// Claims of a real session, re-signed by the attacker in various wrong ways.
async function liveClaims() {
  const tech = await createTechnician(database.db);
  const { token, sessionId } = await signIn(database.db, config, tech.id);
  const now = Math.floor(Date.now() / 1000);
  return { tech, token, sessionId, claims: { sub: tech.id, sid: sessionId, mfa: now } };
}

const sign = (claims: object, key: string, options: jwt.SignOptions) =>
  jwt.sign(claims, key, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, ...options });

describe('access tokens on GET /me', () => {
  it('accepts the token of a live session', async () => {
    const { token } = await liveClaims();
    const res = await request(app()).get('/api/v1/me').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
  });

  const forgeries: [string, (c: Awaited<ReturnType<typeof liveClaims>>) => string][] = [
    [
      'alg none',
      ({ claims }) => {
        const now = Math.floor(Date.now() / 1000);
        const payload = {
          ...claims,
          iss: TOKEN_ISSUER,
          aud: TOKEN_AUDIENCE,
          iat: now,
          exp: now + 600,
        };
        return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
      },
    ],
    [
      'another algorithm (HS384, same key)',
      ({ claims }) => sign(claims, DEV_JWT_SECRET, { algorithm: 'HS384', expiresIn: 600 }),
    ],
    [
      'another key',
      ({ claims }) =>
        sign(claims, 'another-secret-of-at-least-thirty-two-chars', {
          algorithm: 'HS256',
          expiresIn: 600,
        }),
    ],
    [
      'another audience',
      ({ claims }) =>
        jwt.sign(claims, DEV_JWT_SECRET, {
          issuer: TOKEN_ISSUER,
          audience: 'other-api',
          expiresIn: 600,
        }),
    ],
    [
      'another issuer',
      ({ claims }) =>
        jwt.sign(claims, DEV_JWT_SECRET, {
          issuer: 'someone-else',
          audience: TOKEN_AUDIENCE,
          expiresIn: 600,
        }),
    ],
    [
      'an expired token',
      ({ claims }) =>
        sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, DEV_JWT_SECRET, {
          algorithm: 'HS256',
        }),
    ],
    [
      'an altered payload',
      ({ token, claims }) => {
        const [header, , signature] = token.split('.');
        const other = {
          ...(jwt.decode(token) as object),
          sub: claims.sub.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
        };
        return `${header}.${base64url(other)}.${signature}`;
      },
    ],
    [
      'a token without a session id',
      ({ claims }) =>
        sign({ sub: claims.sub, mfa: claims.mfa }, DEV_JWT_SECRET, {
          algorithm: 'HS256',
          expiresIn: 600,
        }),
    ],
  ];

  it.each(forgeries)('refuses %s with 401', async (_name, forge) => {
    const token = forge(await liveClaims());
    const res = await request(app()).get('/api/v1/me').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth.unauthenticated');
  });

  it('refuses the token of a signed-out session at once', async () => {
    const { token } = await liveClaims();
    const auth = `Bearer ${token}`;
    expect(
      (await request(app()).post('/api/v1/auth/logout').set('authorization', auth)).status,
    ).toBe(204);
    const res = await request(app()).get('/api/v1/me').set('authorization', auth);
    expect(res.status).toBe(401);
  });

  it('refuses the token of a disabled technician at once', async () => {
    const admin = await createTechnician(database.db, { role: 'admin' });
    const adminAuth = (await signIn(database.db, config, admin.id)).authorization;
    const { tech, token } = await liveClaims();

    const disabled = await request(app())
      .post(`/api/v1/technicians/${tech.id}/disable`)
      .set('authorization', adminAuth);
    expect(disabled.status).toBe(200);

    const res = await request(app()).get('/api/v1/me').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
  });

  it('refuses the token of a session past its absolute lifetime', async () => {
    const { token, sessionId } = await liveClaims();
    await database
      .db('login_sessions')
      .where({ id: sessionId })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const res = await request(app()).get('/api/v1/me').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
  });

  it.each(['', 'Bearer', 'Basic abc', 'Bearer not.a.jwt'])(
    'refuses the header %p',
    async (header) => {
      const res = await request(app()).get('/api/v1/me').set('authorization', header);
      expect(res.status).toBe(401);
    },
  );
});
