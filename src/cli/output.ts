/**
 * What the CLI prints: JSON for scripts (`--json`), aligned columns for
 * people. Results go to stdout; messages about the run go to stderr.
 */

/** A column of a listing: its heading and how to read it from a row. */
export interface Column<T> {
  heading: string;
  value: (row: T) => unknown;
}

/** Prints one line to stdout. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints one line to stderr (notes that must not mix with the results). */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Prints a value as indented JSON. */
export function printJson(value: unknown): void {
  say(JSON.stringify(value, null, 2));
}

/** Prints rows as aligned columns, or a short line when there are none. */
export function printTable<T>(rows: T[], columns: Column<T>[], empty: string): void {
  if (rows.length === 0) {
    say(empty);
    return;
  }
  const cells = rows.map((row) => columns.map((column) => text(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.heading.length, ...cells.map((line) => line[index]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  say(line(columns.map((column) => column.heading.toUpperCase())));
  for (const values of cells) say(line(values));
}

/** Prints `key: value` lines of a record. */
export function printFields(record: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  for (const [key, value] of Object.entries(record))
    say(`${`${key}:`.padEnd(width + 1)} ${text(value)}`);
}

/** A listing printed as JSON with `--json`, as a table otherwise. */
export function printListing<T>(
  json: boolean | undefined,
  rows: T[],
  columns: Column<T>[],
  empty: string,
): void {
  if (json) printJson(rows);
  else printTable(rows, columns, empty);
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
