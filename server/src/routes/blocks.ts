/**
 * Delta sync's block API (DESIGN §5): a client chunks locally, asks which hashes the server
 * lacks, uploads only those, then commits the version (routes/commit.ts). Blocks are named by
 * the SHA-256 of their plaintext; dedup and visibility are per namespace.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { hashParam, Sha256Hex } from '../blocks/hash.js';
import { missingHashes } from '../blocks/lookup.js';
import { putBlock } from '../blocks/put.js';
import { userContentHeaders } from '../downloads/user-content.js';
import { readableBlockKey } from '../blocks/readable.js';
import { parseJsonBody } from '../http-errors.js';
import { discardBody } from '../uploads/body.js';
import { contentLength, declaredLength } from '../content-length.js';

/** One question covers a 10 GiB file (about 9,000 blocks of 1.15 MiB on average); longer lists go in several. */
export const MAX_MISSING_HASHES = 10_000;

const MissingBody = z.strictObject({ hashes: z.array(Sha256Hex).max(MAX_MISSING_HASHES) });
/** Room for the longest question (a quoted hash and a comma are 67 bytes; spaces allowed). */
const MISSING_BODY_BYTES = MAX_MISSING_HASHES * 80 + 1024;

export function blockRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const { db, storage } = deps;
  // A block stored for a later commit holds its quota reservation as long as GC would keep it unreferenced.
  const blockPut = { db, storage, reservationMs: deps.config.jobs.gcGraceMs };

  r.post('/missing', async (c) => {
    const { hashes } = await parseJsonBody(c, MissingBody, { maxBytes: MISSING_BODY_BYTES });
    return c.json({ missing: await missingHashes(db, storage, c.get('user').namespaceId, hashes) });
  });

  r.put('/:sha256', async (c) => {
    try {
      const hash = hashParam(c.req.param('sha256'));
      const result = await putBlock(blockPut, c.get('user').namespaceId, hash, c.req.raw.body, contentLength(c.req.header('content-length')));
      return c.json(result, result.stored ? 201 : 200);
    } catch (err) {
      // Refused before the body was read: drain a small one so the client sees the answer, not a reset.
      await discardBody(c.req.raw.body, declaredLength(c.req.header('content-length')));
      throw err;
    }
  });

  r.get('/:sha256', async (c) => {
    const hash = hashParam(c.req.param('sha256'));
    const key = await readableBlockKey(db, storage, c.get('user'), hash);
    const etag = `"${hash}"`;
    // Content named by its hash never changes: a cached copy is good for as long as it is kept.
    const headers = { ETag: etag, 'Cache-Control': 'private, max-age=31536000, immutable' };
    if (c.req.header('if-none-match')?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return c.body(null, 304, headers);
    const bytes = await storage.blocks.get(key);
    // A copy: the engine's buffer may sit in memory shared with its worker threads.
    return c.body(new Uint8Array(bytes), 200, {
      ...headers,
      // A piece of a file is user content too: an attachment, never a document that could run.
      ...userContentHeaders(hash, { type: 'application/octet-stream' }),
      'Content-Length': String(bytes.byteLength),
    });
  });

  return r;
}
