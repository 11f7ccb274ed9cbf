/**
 * Access tokens: short-lived JWTs (RFC 7519) signed with HS256 and checked with
 * the algorithm pinned, so `alg: none` or a swapped algorithm is refused by
 * jsonwebtoken itself. A token names its login session; the session row, not
 * the token, decides whether it still works (see authenticate.ts).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import type { Config } from '../platform/config';

const ALGORITHM = 'HS256';
/** The `iss` claim of every access token. */
export const TOKEN_ISSUER = 'jit-broker';
/** The `aud` claim of every access token. */
export const TOKEN_AUDIENCE = 'jit-broker-api';

/** What a valid access token says. */
export interface AccessClaims {
  /** Technician id. */
  sub: string;
  /** Login session id. */
  sid: string;
  /** Unix seconds of the last successful MFA check (for step-up). */
  mfa: number;
}

/** Signs and verifies access tokens with the configured key. */
export class AccessTokens {
  // A KeyObject, not a Buffer: given raw bytes, jsonwebtoken first tries to
  // read them as a public key and throws, on every call.
  private readonly key: KeyObject;

  constructor(private readonly config: Pick<Config, 'jwt' | 'accessTokenTtl'>) {
    const { secret, keyFile } = config.jwt;
    if (keyFile) this.key = createSecretKey(readFileSync(keyFile));
    else if (secret) this.key = createSecretKey(Buffer.from(secret, 'utf8'));
    else throw new Error('JWT_SECRET or JWT_KEY_FILE must be set');
  }

  /** Seconds an access token lives. */
  get ttl(): number {
    return this.config.accessTokenTtl;
  }

  /** A signed token for a login session. */
  sign(claims: AccessClaims): string {
    return jwt.sign({ sid: claims.sid, mfa: claims.mfa }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.sub,
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      expiresIn: this.config.accessTokenTtl,
    });
  }

  /** The claims of a valid token, or undefined for any invalid one. */
  verify(token: string): AccessClaims | undefined {
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
      });
      if (typeof payload !== 'object') return undefined;
      const { sub, sid, mfa } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof mfa !== 'number') {
        return undefined;
      }
      return { sub, sid, mfa };
    } catch {
      return undefined;
    }
  }
}
