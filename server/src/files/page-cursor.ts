/** Opaque page cursors: a small JSON object, base64url, checked against a schema when it comes back. */
import type { z } from 'zod';
import { BadRequestError } from '../http-errors.js';

export function encodePageCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The cursor's content, or a 400 'invalid_cursor' for anything this server did not hand out. */
export function decodePageCursor<T>(raw: string, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const r = schema.safeParse(parsed);
  if (!r.success) throw new BadRequestError('the cursor is not one this server handed out', { code: 'invalid_cursor' });
  return r.data;
}
