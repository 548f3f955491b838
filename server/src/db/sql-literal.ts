/**
 * A value as an SQL literal, for PGlite's simple protocol (db/pglite-statements.ts). Every value
 * becomes a literal that cannot end early: strings are E'…' literals with backslashes and quotes
 * doubled (right whatever standard_conforming_strings says), NUL (no PostgreSQL text holds it,
 * and it would cut the statement short) is refused, numbers must be finite.
 */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return `(${value})`;
  }
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new RangeError('a string for the database cannot contain NUL');
    return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  }
  throw new TypeError(`no literal for a ${typeof value}`);
}
