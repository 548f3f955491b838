/**
 * JSON request bodies are read with a cap (COFFER_MAX_JSON_BYTES, 64 KiB by default): the
 * declared Content-Length is checked before anything is read, and a chunked body is counted as
 * it streams in and abandoned at the cap, so a 16 MiB body to a sign-in costs 64 KiB at most.
 * Raw bodies (uploads, blocks) never come here: they stream with limits of their own. The two
 * bulk sync requests (a commit's block list, the missing-blocks question) take a larger cap that
 * their schema's own bounds justify, and only after sign-in.
 * A body with `Content-Encoding: zstd` or `gzip` (@coffer/protocol json-encoding.ts) is decoded
 * with the same cap on its decoded bytes, so a small bomb stops at the cap too.
 * `parseJsonBody` (http-errors.ts) turns the outcome into the answer.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { jsonBodyEncoding } from '@coffer/protocol';
import { decodeBody } from './body-decode.js';

export const DEFAULT_MAX_JSON_BYTES = 64 * 1024;
const LIMIT = 'maxJsonBytes';

/** Makes `limit` the cap for every JSON body read below it (installed once, in createApp). */
export function jsonBodyLimit(limit: number): MiddlewareHandler {
  return async (c, next) => {
    c.set(LIMIT, limit);
    await next();
  };
}

export type JsonText =
  | { ok: true; text: string }
  | { ok: false; problem: 'too_large'; limit: number }
  | { ok: false; problem: 'not_utf8' }
  | { ok: false; problem: 'bad_encoding'; encoding: string; known: boolean };

/** The body as text, or why not: longer than the cap (declared, counted or decoded), not UTF-8, or in
 *  a Content-Encoding not taken (known: false) or not decodable (known: true).
 *  `atLeast`: a route's own cap, when its largest valid body is larger than the configured one. */
export async function readJsonText(c: Context, atLeast = 0): Promise<JsonText> {
  const limit = Math.max((c.get(LIMIT) as number | undefined) ?? DEFAULT_MAX_JSON_BYTES, atLeast);
  const header = c.req.header('content-encoding');
  const encoding = jsonBodyEncoding(header);
  if (encoding === false) return { ok: false, problem: 'bad_encoding', encoding: header!, known: false };
  const declared = c.req.header('content-length')?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) return { ok: false, problem: 'too_large', limit };
  const body = c.req.raw.body;
  if (!body) return { ok: true, text: '' };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop here; what the client still sends is drained (bounded) by the HTTP server after the answer.
      await reader.cancel().catch(() => undefined);
      return { ok: false, problem: 'too_large', limit };
    }
    chunks.push(value);
  }
  let bytes: Uint8Array = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  if (encoding && size > 0) {
    const decoded = await decodeBody(encoding, bytes, limit);
    if (decoded === 'too_large') return { ok: false, problem: 'too_large', limit };
    if (decoded === 'corrupt') return { ok: false, problem: 'bad_encoding', encoding, known: true };
    bytes = decoded;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, problem: 'not_utf8' };
  }
}
