/**
 * The broker's JSON API (`/api/v1`) as the CLI uses it: the stored bearer
 * token on every call, a refresh when the token is about to expire, and one
 * step-up and retry when the broker asks for a fresh MFA code.
 */
import type { CredentialStore, StoredLogin } from './credential-store';
import { refusal } from './exit-codes';
import { errorFromAnswer, jsonOf, send } from './http-call';

/** Refresh the token when it has less than this many seconds left. */
const REFRESH_MARGIN_SECONDS = 120;

/** What the broker answers on login, MFA, step-up and refresh. */
export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  mfa_at: string;
}

/** Options of one call. */
export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** False for the calls that come before signing in. */
  auth?: boolean;
  /** False where a 401 means a wrong code, not a dead sign-in. */
  signInHint?: boolean;
}

const BROKER = 'the broker';

/** A client for one broker, signed in or not. */
export class BrokerClient {
  private login: StoredLogin | null;

  constructor(
    readonly url: string,
    private readonly store: CredentialStore,
    /** Asked for a TOTP code when the broker wants a step-up. */
    private readonly stepUpCode: () => Promise<string>,
  ) {
    this.login = store.readLogin();
  }

  /** The stored login when it is for this broker. */
  get signedIn(): StoredLogin | null {
    return this.login;
  }

  /** Calls the API and returns the JSON answer. */
  async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    return jsonOf<T>(await this.exchange(method, path, options), BROKER);
  }

  /** Calls the API and returns the raw successful answer (for streams). */
  async exchange(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    if (options.auth === false) return this.once(method, path, options, null);
    const token = await this.currentToken();
    try {
      return await this.once(method, path, options, token);
    } catch (error) {
      if ((error as { code?: string }).code !== 'auth.step_up_required') throw error;
      // The broker wants a recent MFA answer for this action: ask for a code,
      // step up, and try once more with the new token.
      const code = await this.stepUpCode();
      await this.stepUp(code);
      return this.once(method, path, options, this.login!.access_token);
    }
  }

  /** Exchanges a fresh TOTP code for a token with a new MFA time, and stores it. */
  async stepUp(code: string): Promise<void> {
    const token = await this.currentToken();
    const answer = await jsonOf<TokenAnswer>(
      await this.once('POST', '/auth/step-up', { body: { code }, signInHint: false }, token),
      BROKER,
    );
    this.save(this.login!.email, answer);
  }

  /** Stores a token answer as the login for `email` at this broker. */
  save(email: string, answer: TokenAnswer): void {
    this.login = {
      broker_url: this.url,
      email,
      access_token: answer.access_token,
      expires_at: new Date(Date.now() + answer.expires_in * 1000).toISOString(),
      mfa_at: answer.mfa_at,
    };
    this.store.writeLogin(this.login);
  }

  private async currentToken(): Promise<string> {
    const login = this.login;
    if (!login) throw refusal('cli.not_signed_in', 'not signed in: run `jit login` first');
    const secondsLeft = (Date.parse(login.expires_at) - Date.now()) / 1000;
    if (!(secondsLeft > 0)) {
      throw refusal('cli.login_expired', 'the sign-in has expired: run `jit login` again');
    }
    if (secondsLeft < REFRESH_MARGIN_SECONDS) {
      const answer = await jsonOf<TokenAnswer>(
        await this.once('POST', '/auth/refresh', {}, login.access_token),
        BROKER,
      );
      this.save(login.email, answer);
    }
    return this.login!.access_token;
  }

  private async once(
    method: string,
    path: string,
    options: CallOptions,
    token: string | null,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      // The broker records the client of each access session in the audit log.
      'user-agent': 'jit-cli',
      ...options.headers,
    };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const answer = await send(
      `${this.url}/api/v1${path}`,
      {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      },
      BROKER,
    );
    if (!answer.ok) {
      const error = await errorFromAnswer(answer, BROKER);
      // The stored token no longer works (signed out elsewhere, disabled,
      // session ended): say what to do about it.
      if (answer.status === 401 && token && options.signInHint !== false) {
        error.message += '; run `jit login` to sign in again';
      }
      throw error;
    }
    return answer;
  }
}
