/**
 * The signed-in state kept between commands, per user, in the XDG config
 * folder: `$XDG_CONFIG_HOME/jit/` (default `~/.config/jit/`). The folder is
 * 0700 and every file 0600, because the access token is a bearer secret.
 * See https://specifications.freedesktop.org/basedir-spec/latest/
 */
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { failure } from './exit-codes';

/** What `jit login` keeps: where, who, and the token with its lifetimes. */
export interface StoredLogin {
  broker_url: string;
  email: string;
  access_token: string;
  /** When the access token stops working (ISO 8601). */
  expires_at: string;
  /** When the holder last passed MFA (ISO 8601). */
  mfa_at: string;
}

/** Open access sessions this machine started, by grant id (for `jit end`). */
export type SessionIndex = Record<string, string>;

const LOGIN_FILE = 'credentials.json';
const SESSIONS_FILE = 'sessions.json';

/** The config folder for this user, from the environment. */
export function configDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'jit');
}

/**
 * Reads and writes the files of the config folder, always with private modes.
 *
 * LIMITATION: the token sits in a 0600 file, not in the operating system's
 * keychain (no keychain library is cross-platform without native builds).
 * Whoever can read the user's files, root or a backup, can use the token
 * until it expires (ACCESS_TOKEN_TTL, refreshed while in use).
 */
export class CredentialStore {
  constructor(readonly dir: string) {}

  /** The path of the token file. */
  get loginPath(): string {
    return join(this.dir, LOGIN_FILE);
  }

  /** The stored login, or null when nobody signed in. */
  readLogin(): StoredLogin | null {
    const login = this.read<StoredLogin>(LOGIN_FILE);
    if (login) this.keepPrivate(LOGIN_FILE);
    return login;
  }

  /** Stores the login, replacing any earlier one. */
  writeLogin(login: StoredLogin): void {
    this.write(LOGIN_FILE, login);
  }

  /** Forgets the login and the sessions that went with it. */
  clear(): void {
    rmSync(join(this.dir, LOGIN_FILE), { force: true });
    rmSync(join(this.dir, SESSIONS_FILE), { force: true });
  }

  /** The access sessions opened from this machine. */
  readSessions(): SessionIndex {
    return this.read<SessionIndex>(SESSIONS_FILE) ?? {};
  }

  /** Remembers or forgets (`sessionId` null) the open session of a grant. */
  rememberSession(grantId: string, sessionId: string | null): void {
    const sessions = this.readSessions();
    if (sessionId) sessions[grantId] = sessionId;
    else delete sessions[grantId];
    this.write(SESSIONS_FILE, sessions);
  }

  // A token file someone made readable by others (a copy, a restore) is put
  // back to 0600 and the user told, as ssh does with private keys.
  private keepPrivate(name: string): void {
    const path = join(this.dir, name);
    if ((statSync(path).mode & 0o077) === 0) return;
    chmodSync(path, 0o600);
    process.stderr.write(`note: ${path} was readable by others; set back to 0600\n`);
  }

  private read<T>(name: string): T | null {
    let text: string;
    try {
      text = readFileSync(join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw failure('cli.config_corrupt', `${join(this.dir, name)} is not valid JSON`);
    }
  }

  // Written to a private temporary file and renamed over the old one, so the
  // token is never readable by others, not even for a moment, and a crash
  // never leaves half a file.
  private write(name: string, value: unknown): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const path = join(this.dir, name);
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  }
}
