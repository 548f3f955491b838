/**
 * The rules every value a client sends passes before a service or the database sees it: one set
 * of zod building blocks that every route's schema is made of (text, ids, integers, flags,
 * cursors). A value that breaks one is a 400 `invalid_request` naming the field, never a 500 from
 * the database: PostgreSQL refuses text holding NUL, an `integer` column refuses 3,000,000,000,
 * a `bigint` one 2^63, and JSON numbers are exact only up to 2^53 − 1.
 *
 * Browser-safe (zod and web platform globals only): the apps and the CLI validate with the same rules.
 */
import { z } from 'zod';

/** The largest value of a PostgreSQL `integer` (int4) column: revisions, ordinals. */
export const INT4_MAX = 2_147_483_647;
/** The range of a PostgreSQL `bigint` (int8) column, for digit strings that never become JS numbers. */
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

const NUL = /\u0000/;
/** With the u flag a valid surrogate pair is one code point, so only lone halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Text of `min`..`max` UTF-16 code units that PostgreSQL can store and every client can show:
 * no NUL (a text column refuses it), no lone surrogate (it has no UTF-8 encoding, and the
 * driver would silently store U+FFFD instead).
 */
export function text(max: number, min = 0) {
  // One check() call, not a chain: each chained step clones the schema, and the apps build every
  // operation's schemas at start-up (hundreds of text fields), so the chain's copies cost the
  // browser tens of milliseconds before the first paint.
  return z.string().check(
    z.minLength(min),
    z.maxLength(max),
    z.refine((s: string) => !NUL.test(s), 'must not contain NUL (U+0000)'),
    z.refine((s: string) => !LONE_SURROGATE.test(s), 'must be valid Unicode (it holds a lone surrogate)'),
  );
}

/** A path in the caller's tree (the server checks its names further: 400 `invalid_name`). */
export const MAX_PATH_CHARS = 4096;
export const path = () => text(MAX_PATH_CHARS, 1);

/** A row id: a UUID in its 8-4-4-4-12 hex form (any version; PostgreSQL's `uuid` takes them all). */
export const id = () => z.guid('must be a UUID');

/** For ids in a URL path: anything but a UUID cannot name a row, so routes answer 404 like a missing one. */
export function isId(value: string): boolean {
  return id().safeParse(value).success;
}

/** A JSON integer for an `integer` column (revisions). */
export const int4 = (min = 0) => z.number().int().min(min).max(INT4_MAX);

/** A JSON integer for a `bigint` column (sizes, quotas): exact as a JS number, so at most 2^53 − 1. */
export const count = (min = 0) => z.number().int().min(min).max(Number.MAX_SAFE_INTEGER);

/**
 * An integer in a query string: digits only (no sign, space, exponent or hex, which
 * `z.coerce.number()` would take, and never '' as 0), then checked against its range.
 */
export function queryInt(min: number, max: number) {
  return (
    z
      .string()
      .regex(/^\d{1,16}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      // Described as what it is on the wire: an OpenAPI integer parameter (its digits, serialised).
      .register(z.globalRegistry, { type: 'integer', minimum: min, maximum: max })
  );
}

/** How many items a page holds: `limit=` from 1 to `max`, `fallback` when left out. */
export const pageLimit = (max = 1000, fallback = 100) => queryInt(1, max).default(fallback);

/** A revision in a query string (an `integer` column). */
export const queryRev = (min = 0) => queryInt(min, INT4_MAX);

/** A yes/no in a query string. */
export const queryFlag = () => z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** `name=` (empty, as in `cursor=` on a first page) means the parameter is absent. */
export function optionalParam<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
}

/**
 * A journal position (a `bigint` seq) in a query string: the decimal number a previous answer
 * gave, at most 15 digits (below 2^53, so it survives JSON numbers everywhere). 0: the start.
 */
export const journalCursor = () =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'a cursor is the decimal number a previous answer gave (0: from the start)')
    .transform(Number);

/** The same position as a JSON number (the websocket's `resume`). */
export const journalCursorNumber = () => z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A decimal integer held as a string (a cursor's sort key) that fits a `bigint` column. */
export const int8String = () =>
  z.string().refine((s) => /^-?\d{1,19}$/.test(s) && BigInt(s) >= INT8_MIN && BigInt(s) <= INT8_MAX, 'must be a whole number within 64 bits');

/** The longest opaque page cursor accepted (ours are a few hundred characters). */
export const MAX_PAGE_CURSOR_CHARS = 8192;

/**
 * An opaque page cursor: base64url of a small JSON object. Decoded, then checked against
 * `schema` (the shape the server hands out), so nothing in it reaches a query unchecked;
 * anything else is one issue on the field: 'not one this server handed out'.
 */
export function pageCursor<T>(schema: z.ZodType<T>) {
  return z
    .string()
    .max(MAX_PAGE_CURSOR_CHARS)
    .transform((raw, ctx): T => {
      const r = schema.safeParse(decodeJson(raw));
      if (r.success) return r.data;
      ctx.addIssue({ code: 'custom', message: 'the cursor is not one this server handed out' });
      return z.NEVER;
    });
}

/** The cursor for a page cursor's content (the inverse of what `pageCursor` reads). */
export function encodePageCursor(value: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url → UTF-8 → JSON; undefined for anything malformed at any step. */
function decodeJson(raw: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(raw)) return undefined;
  try {
    const binary = atob(raw.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (raw.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}
