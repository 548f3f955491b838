/**
 * Compressed JSON on /api/v1 (issue 21: a sync's block lists, change pages and batch answers are
 * most of its bytes besides the blocks themselves, and hex hashes and repeated paths compress well).
 * - Answers: a request with a bearer token and `Accept-Encoding: zstd` gets the JSON answers of
 *   operations of at least JSON_COMPRESS_MIN_BYTES as `Content-Encoding: zstd`. Cookie-authenticated
 *   (browser) requests never do: a compressed answer holding a secret next to text a cross-site
 *   page can make the browser send is what BREACH reads; a bearer token is never sent by a browser on its own.
 * - Request bodies: a JSON body may come with `Content-Encoding: zstd` or `gzip` (RFC 7694); the
 *   body's cap counts its decoded bytes. Any other coding is 415 `unsupported_encoding` with
 *   `Accept-Encoding` naming these. A server from before this answers 400 `invalid_json` (it reads
 *   the bytes as they are): a client then sends the same request plain, and plain from then on.
 */
export const JSON_BODY_ENCODINGS = ['zstd', 'gzip'] as const;
export type JsonBodyEncoding = (typeof JSON_BODY_ENCODINGS)[number];

/** Shorter JSON is not worth a compressed frame plus its header (either way). */
export const JSON_COMPRESS_MIN_BYTES = 512;

/** zstd's level for JSON: hex hashes and paths; ~the same ratio as 19 at these sizes, far faster. */
export const JSON_ZSTD_LEVEL = 6;

/** The coding a `Content-Encoding` value names, undefined for none/identity, or false for one not taken. */
export function jsonBodyEncoding(header: string | undefined): JsonBodyEncoding | undefined | false {
  const v = header?.trim().toLowerCase();
  if (!v || v === 'identity') return undefined;
  return (JSON_BODY_ENCODINGS as readonly string[]).includes(v) ? (v as JsonBodyEncoding) : false;
}

/** Does an `Accept-Encoding` value take zstd (not refused with q=0)? */
export function acceptsZstd(header: string | undefined): boolean {
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    if (name !== 'zstd') continue;
    const q = params.find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}
