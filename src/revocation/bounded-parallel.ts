/**
 * Running many independent steps with at most `limit` in flight: enough to
 * keep PostgreSQL and Vault busy, never so many that a pool starves.
 */

/** Calls `step` for every item, at most `limit` at a time; rejects on the first failure. */
export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  step: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await step(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
