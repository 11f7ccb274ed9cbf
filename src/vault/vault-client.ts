/**
 * The broker's one way to Vault, on node-vault. It logs in (AppRole, or a
 * token in development), renews its own token at two thirds of its TTL and
 * logs in again when renewal fails, so it keeps working across Vault
 * restarts. Every call has a timeout, may target a tenant's namespace, and
 * turns Vault's failures into `vault.unavailable` or `vault.denied`.
 *
 * node-vault traps avoided here: its `tokenCreate` replaces the client's own
 * token (we write `auth/token/create/<role>` instead); Node servers reject the
 * LIST verb (`noCustomHTTPVerbs`); headers go per request in request options.
 */
import createNodeVault from 'node-vault';
import { logger } from '../platform/logger';
import { toVaultAppError, vaultStatus } from './vault-errors';

/** How the client reaches and authenticates to Vault. */
export interface VaultClientOptions {
  addr: string;
  token?: string;
  roleId?: string;
  secretId?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /** Schedules the token renewal; tests pass their own to control time. */
  schedule?: (run: () => void, delayMs: number) => { unref(): void } | void;
}

/** Per-call options: a namespace, extra headers, or another token (unwrap). */
export interface CallOptions {
  namespace?: string;
  headers?: Record<string, string>;
  token?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A Vault API answer body (the common envelope). */
export type VaultBody = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A logged-in Vault client. */
export class VaultClient {
  private readonly vault: ReturnType<typeof createNodeVault>;
  private readonly timeoutMs: number;
  private renewTimer: { unref(): void } | void = undefined;
  private loggedIn: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: VaultClientOptions) {
    if (!options.token && !(options.roleId && options.secretId)) {
      throw new Error('Vault needs VAULT_TOKEN or VAULT_ROLE_ID and VAULT_SECRET_ID');
    }
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.vault = createNodeVault({
      endpoint: options.addr,
      token: options.token,
      noCustomHTTPVerbs: true,
      requestOptions: { timeout: this.timeoutMs },
    } as Parameters<typeof createNodeVault>[0]);
  }

  /** The Vault address, as technicians need it to unwrap. */
  get addr(): string {
    return this.options.addr;
  }

  /** Calls Vault; resolves its body (undefined for 204), throws vault.* AppErrors. */
  async call(method: Method, path: string, body?: unknown, options: CallOptions = {}) {
    if (!options.token) await this.ensureLoggedIn(path);
    try {
      return await this.send(method, path, body, options);
    } catch (error) {
      // A 403 on our own token may mean it lapsed (a long outage): log in once more.
      if (vaultStatus(error) === 403 && !options.token && (await this.ownTokenLapsed())) {
        await this.relogin();
        try {
          return await this.send(method, path, body, options);
        } catch (retryError) {
          throw toVaultAppError(retryError, method, path);
        }
      }
      throw toVaultAppError(error, method, path);
    }
  }

  /** Vault's health answer (any status), or throws vault.unavailable. */
  async health(): Promise<VaultBody> {
    try {
      return (await this.vault.request({
        path: '/sys/health?standbyok=true',
        method: 'GET',
        timeout: this.timeoutMs,
      })) as VaultBody;
    } catch (error) {
      throw toVaultAppError(error, 'health', 'sys/health');
    }
  }

  /** Stops the renewal timer. */
  stop(): void {
    this.stopped = true;
    this.cancelRenewal();
  }

  private send(method: Method, path: string, body: unknown, options: CallOptions) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
    if (options.token) headers['X-Vault-Token'] = options.token;
    const request: Record<string, unknown> = { path: `/${path}`, method, headers };
    request.timeout = this.timeoutMs;
    if (body !== undefined) request.json = body;
    return this.vault.request(request as never) as Promise<VaultBody | undefined>;
  }

  private ensureLoggedIn(path: string): Promise<void> {
    if (!this.loggedIn) {
      this.loggedIn = this.login().catch((error: unknown) => {
        // Forget the failure so that the next call tries again (Vault came back).
        this.loggedIn = undefined;
        throw toVaultAppError(error, 'login', path);
      });
    }
    return this.loggedIn;
  }

  private relogin(): Promise<void> {
    this.loggedIn = undefined;
    return this.ensureLoggedIn('auth/login');
  }

  private async login(): Promise<void> {
    if (this.options.roleId && this.options.secretId) {
      // A lapsed token must not ride along on the login request.
      this.vault.token = undefined as unknown as string;
      const answer = (await this.send(
        'POST',
        'auth/approle/login',
        {
          role_id: this.options.roleId,
          secret_id: this.options.secretId,
        },
        { headers: {} },
      )) as VaultBody;
      this.vault.token = answer.auth.client_token;
      logger.info('vault login', { method: 'approle', ttl: answer.auth.lease_duration });
      this.scheduleRenewal(answer.auth.lease_duration, answer.auth.renewable);
      return;
    }
    const self = (await this.send('GET', 'auth/token/lookup-self', undefined, {})) as VaultBody;
    this.scheduleRenewal(self.data.ttl, self.data.renewable);
  }

  // Renew at two thirds of the TTL: early enough to survive a short outage.
  private scheduleRenewal(ttlSeconds: number, renewable: boolean) {
    this.cancelRenewal();
    if (this.stopped || !renewable || !(ttlSeconds > 0)) return;
    const schedule = this.options.schedule ?? setTimeout;
    this.renewTimer = schedule(() => void this.renew(), (ttlSeconds * 2000) / 3);
    this.renewTimer?.unref();
  }

  private cancelRenewal() {
    if (this.renewTimer && !this.options.schedule) clearTimeout(this.renewTimer as NodeJS.Timeout);
    this.renewTimer = undefined;
  }

  private async renew() {
    try {
      const answer = (await this.send('POST', 'auth/token/renew-self', {}, {})) as VaultBody;
      this.scheduleRenewal(answer.auth.lease_duration, answer.auth.renewable);
    } catch (error) {
      logger.warn('vault token renewal failed', { vault_status: vaultStatus(error) });
      // AppRole can log in afresh; a static token is re-checked on the next call.
      this.loggedIn = undefined;
      if (this.options.roleId) await this.ensureLoggedIn('auth/login').catch(() => undefined);
    }
  }

  private async ownTokenLapsed(): Promise<boolean> {
    if (!this.options.roleId) return false;
    try {
      await this.send('GET', 'auth/token/lookup-self', undefined, {});
      return false;
    } catch (error) {
      return vaultStatus(error) === 403;
    }
  }
}
