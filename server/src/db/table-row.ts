/**
 * A row that came back from a raw statement (db/raw.ts), keyed by column name, as drizzle would
 * have answered it: each column's own driver-value mapping (timestamps to Date, bigint to number,
 * JSON parsed), so a new column in the schema needs no change here.
 */
import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

export function tableRow<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    out[field] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as InferSelectModel<T>;
}

/** A timestamp as a driver gives it (PGlite: a Date; postgres.js under drizzle's parsers: text). */
export function driverDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
