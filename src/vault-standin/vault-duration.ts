/**
 * Vault duration values: whole seconds as a number or string, or Go-style
 * strings such as `90m`, `1h30m`, `300s` (what the Vault API accepts).
 */

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds in a Vault duration; undefined when absent, throws when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value !== 'string') throw new Error('invalid duration');
  if (/^\d+$/.test(value)) return Number(value);
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new Error(`invalid duration "${value}"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT[p[2]!]!, 0);
}
