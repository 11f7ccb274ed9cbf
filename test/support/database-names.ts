/** Names shared by the test database helpers. */

/** The database every test database is cloned from; migrated once per run. */
export const TEMPLATE_DATABASE = 'jit_test_template';

/** `url` with its database name replaced by `name`. */
export function databaseUrl(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
