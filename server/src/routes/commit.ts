/** POST /files/commit — a sync client's new version from blocks already uploaded (sync/commit.ts). */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import { MAX_BLOCK_BYTES, Sha256Hex } from '../blocks/hash.js';
import type { AppDeps } from '../deps.js';
import { fileView } from '../files/view.js';
import { parseJsonBody } from '../http-errors.js';
import { commitSync } from '../uploads/delta-commit.js';
import { DEFAULT_CHUNKER_OPTIONS } from '../../../storage-engine/src/index.js';
import { MAX_FILE_BYTES } from '../uploads/limits.js';
import { count, id, int4, path } from '../wire/fields.js';

/** The chunker cuts nothing shorter than its minimum but the last block: a 10 GiB file has at most this many. */
export const MAX_COMMIT_BLOCKS = Math.ceil(MAX_FILE_BYTES / DEFAULT_CHUNKER_OPTIONS.minSize) + 1;

/** Room for the longest block list (`{"hash":"…","size":4259840},` is about 90 bytes) and the rest. */
const COMMIT_BODY_BYTES = MAX_COMMIT_BLOCKS * 128 + 64 * 1024;

const CommitBody = z
  .strictObject({
    path: path(),
    size: count(),
    blocks: z.array(z.strictObject({ hash: Sha256Hex, size: int4(1).max(MAX_BLOCK_BYTES) })).max(MAX_COMMIT_BLOCKS),
    baseRev: int4().nullable(),
    /** With baseRev: the entry that revision belongs to. */
    fileId: id().optional(),
    overwrite: z.boolean().optional(),
    onConflict: z.enum(['fail', 'copy']).optional(),
    /** ISO 8601 with a zone, or milliseconds since 1970. */
    mtime: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(8.64e15)]).optional(),
  })
  .refine((b) => b.fileId === undefined || b.baseRev !== null, {
    message: 'fileId names the entry baseRev belongs to: give baseRev with it',
    path: ['fileId'],
  });

export function commitRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.post('/files/commit', async (c) => {
    const body = await parseJsonBody(c, CommitBody, { maxBytes: COMMIT_BODY_BYTES });
    const out = await commitSync(deps, c.get('user'), {
      path: body.path,
      size: body.size,
      blocks: body.blocks,
      baseRev: body.baseRev,
      ...(body.fileId !== undefined ? { fileId: body.fileId } : {}),
      overwrite: body.overwrite ?? false,
      onConflict: body.onConflict ?? 'fail',
      ...(body.mtime !== undefined ? { mtime: new Date(body.mtime) } : {}),
    });
    return c.json({ ...fileView(out.row, out.path), conflict: out.conflict !== undefined, ...(out.conflict ?? {}) }, 201);
  });

  return r;
}
