/**
 * GET /files/{id}/thumbnail: the checks in order (reach, kind, content, freshness), then the
 * cache, then a render that is stored for next time. A validator (ETag: the source content and
 * the edge) answers a browser that has it with a 304 before any storage is read.
 */
import type { Context } from 'hono';
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { matches } from '../downloads/send.js';
import { userContentHeaders } from '../downloads/user-content.js';
import { versionOf } from '../files/revisions.js';
import { entryById } from '../files/tree.js';
import { blocksOfVersion } from '../files/versions.js';
import { ConflictError } from '../http-errors.js';
import { mediaType } from '../uploads/media-types.js';
import { cachedThumbnail, storeThumbnail } from './cache.js';
import { IMAGE_TYPES, MAX_SOURCE_BYTES, notAnImage, tooLarge } from './render.js';

export interface ThumbnailRequest {
  id: string;
  edge: number;
  /** The content the caller expects (409 'stale_revision' if the head is other). */
  hash?: string;
}

/** A year: a URL naming the content (`hash`) never changes meaning. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

export async function sendThumbnail(c: Context, deps: AppDeps, user: AuthUser, q: ThumbnailRequest): Promise<Response> {
  const { db, storage } = deps;
  const row = await entryById(db, user, q.id, 'read');
  if (row.isDir) throw notAnImage(`${row.name} is a folder`);
  if (!IMAGE_TYPES.has(mediaType(row.name))) throw notAnImage(`${row.name} is not an image by its name`);
  const v = await versionOf(db, row); // 404 'no_content' while the first upload runs
  if (q.hash !== undefined && q.hash !== v.contentHash) {
    throw new ConflictError(`${row.name} has changed since: ask for its current content`, {
      code: 'stale_revision',
      current: { id: row.id, rev: row.rev, size: row.size, contentHash: row.contentHash },
    });
  }
  const etag = `"${v.contentHash}-${q.edge}"`;
  const cacheControl = q.hash !== undefined ? IMMUTABLE : 'private, no-cache';
  if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, { ETag: etag, 'Cache-Control': cacheControl });

  const key = { namespaceId: row.namespaceId, contentHash: v.contentHash, edge: q.edge };
  let data = await cachedThumbnail(db, storage, key);
  const hit = data !== undefined;
  if (!data) {
    if (v.size > MAX_SOURCE_BYTES) throw tooLarge({ bytes: v.size });
    const load = async () => {
      const parts: Buffer[] = [];
      for await (const part of storage.files.read(await blocksOfVersion(db, v.id))) parts.push(part);
      return Buffer.concat(parts);
    };
    const rendered = await deps.thumbnails.render(load, q.edge, row.name);
    await storeThumbnail(db, storage, key, rendered);
    data = rendered.data;
  }
  const base = row.name.replace(/\.[^.]*$/, '') || row.name;
  return c.body(new Uint8Array(data), 200, {
    ...userContentHeaders(`${base}.webp`, { inline: true, type: 'image/webp' }),
    ETag: etag,
    'Cache-Control': cacheControl,
    'Content-Length': String(data.byteLength),
    'X-Coffer-Cache': hit ? 'hit' : 'miss',
  });
}
