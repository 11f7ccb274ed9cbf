/**
 * Durations as Vault writes them (`90m`, `2h`, `1h30m`, `45s`) or whole seconds,
 * as DESIGN.md section 9 asks for request bodies and policy files alike.
 */

// Hours, minutes and seconds in this order, each at most once: the subset of
// Go's time.ParseDuration that Vault's TTL fields accept and people write.
const VAULT_STYLE = /^(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,8})s)?$/;

/** The longest duration anything in the broker may name: 366 days. */
export const MAX_DURATION_SECONDS = 366 * 24 * 3600;

/**
 * Seconds in `value`, or undefined when it is not a positive duration within
 * MAX_DURATION_SECONDS. Numbers must be whole; strings are digits or Vault style.
 */
export function parseDuration(value: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof value === 'number') {
    seconds = Number.isSafeInteger(value) ? value : undefined;
  } else if (typeof value === 'string' && /^\d{1,9}$/.test(value)) {
    seconds = Number(value);
  } else if (typeof value === 'string' && value !== '') {
    const match = VAULT_STYLE.exec(value);
    if (match) {
      const [, h, m, s] = match;
      seconds = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
    }
  }
  if (seconds === undefined || seconds <= 0 || seconds > MAX_DURATION_SECONDS) return undefined;
  return seconds;
}

/** Seconds written back in Vault style, for answers and messages (`5400` → `1h30m`). */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const text = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return text || '0s';
}
