/**
 * Timestamps in page cursors: microseconds since the epoch as a decimal string, exact (a
 * millisecond Date would lose the database's precision and repeat or skip rows). `fromMicros`
 * turns a cursor's value back into a timestamptz, so a keyset condition compares the column
 * itself and its index can serve it.
 */
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/** The column as microseconds (text in the answer: a bigint). */
export function microsOf(column: AnyColumn): SQL<string> {
  return sql<string>`((extract(epoch from ${column}) * 1000000)::bigint)::text`;
}

/** A cursor's microseconds as a timestamptz. */
export function fromMicros(micros: string): SQL {
  return sql`(timestamptz 'epoch' + ${micros}::bigint * interval '1 microsecond')`;
}
