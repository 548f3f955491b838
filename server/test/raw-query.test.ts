/**
 * The hot-path statement runner (db/raw.ts) on both backends: any value comes back exactly as
 * sent, whether bound (PostgreSQL), a literal argument of a prepared statement (PGlite's simple
 * protocol) or bound by drizzle inside a transaction; and what cannot be a literal is refused,
 * never sent.
 */
import { describe, expect, it } from 'vitest';
import { literal } from '../src/db/sql-literal.js';
import type { Db } from '../src/db/open.js';
import { pgTextArray, rawValue } from '../src/db/raw.js';
import { useTestDatabase } from './fixtures/database.js';

const NASTY = [
  '',
  "it's",
  "''; select 1; --",
  'back\\slash\\',
  "\\'",
  'E\'\\x41\'',
  '$1 $2 $$ $tag$',
  'line\nbreak\ttab',
  'ünïcödé ✓ 𝄞',
  '{"a": [1, "b"]}',
];

for (const backend of ['postgres', 'pglite'] as const) {
  describe(`hot-path statements on ${backend}`, () => {
    const testDatabase = useTestDatabase(backend);

    const roundTrips = async (db: Db) => {
      for (const s of NASTY) expect(await rawValue(db, 'select $1::text as v', [s])).toBe(s);
      expect(await rawValue(db, 'select $1::text[] as v', [pgTextArray(NASTY)])).toEqual(NASTY);
      expect(await rawValue(db, 'select json_build_array($1::bigint, $2::boolean, $3::text, $4::numeric) as v', [-(2 ** 40), true, null, 1.5])).toEqual([-(2 ** 40), true, null, 1.5]);
      expect(await rawValue(db, 'select $1::jsonb as v', [JSON.stringify({ s: NASTY })])).toEqual({ s: NASTY });
      expect(await rawValue(db, 'select 1 as v where false', [])).toBeNull();
    };

    it('answers every value as sent', async () => {
      await roundTrips(testDatabase().db);
    });

    it('answers the same inside a transaction (through drizzle)', async () => {
      await testDatabase().db.transaction((tx) => roundTrips(tx));
    });
  });
}

describe('literals for the simple protocol', () => {
  it('writes values as literals that cannot end early, and refuses NUL, non-finite numbers and other types', () => {
    expect(() => literal('a\0b')).toThrow(RangeError);
    expect(() => literal(Number.NaN)).toThrow(RangeError);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => literal({})).toThrow(TypeError);
    expect(() => literal(1n)).toThrow(TypeError);
    expect(literal("o'k\\")).toBe("E'o''k\\\\'");
    expect(literal(-3)).toBe('(-3)');
    expect(literal(null)).toBe('NULL');
  });
});
