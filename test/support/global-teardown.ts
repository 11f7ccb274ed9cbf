/** Stops the PostgreSQL server that global-setup started, if it started one. */
export default async function globalTeardown() {
  await globalThis.__EMBEDDED_POSTGRES_STOP__?.();
}
