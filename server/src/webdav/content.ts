/**
 * GET/HEAD and PUT: the same download and upload paths as REST. GET streams through sendVersion
 * (Range, ETag, conditional requests, the user-content headers); PUT goes through simpleUpload
 * (the chunker, dedup, quota reservations, the one commit path with its journal and
 * notifications). A PUT is atomic: one that breaks off commits nothing and the previous
 * revision stays. `X-OC-Mtime` (rclone, ownCloud clients) sets the modification time kept.
 */
import { contentLength } from '../content-length.js';
import { sendVersion } from '../downloads/send.js';
import { versionOf } from '../files/revisions.js';
import { etagOf } from '../files/view.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../http-errors.js';
import { simpleUpload } from '../uploads/simple.js';
import { WEBDAV_MTIME_HEADER } from '@coffer/protocol';
import { resolveResource, resourceEtag, type DavContext } from './context.js';
import { guardWrite } from './guard.js';
import { mtimeHeader } from './mtime.js';
import { methodNotAllowed } from './tree-ops.js';

export async function get(ctx: DavContext): Promise<Response> {
  const r = await resolveResource(ctx.deps.db, ctx.user, ctx.path.segments);
  if (!r.exists) throw new NotFoundError(`nothing at ${r.treePath}`);
  if (r.isDir) {
    const text = 'This is a WebDAV folder of Coffer: mount it in a file manager (see the README, "Mount it").\n';
    return new Response(ctx.c.req.method === 'HEAD' ? null : text, { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', ETag: resourceEtag(r.row) ?? '"root"' } });
  }
  const row = r.row!;
  const res = await sendVersion(ctx.c, ctx.deps, row.name, await versionOf(ctx.deps.db, row));
  // The time a client set (X-OC-Mtime, Win32LastModifiedTime) is what a mount shows and compares.
  res.headers.set('Last-Modified', row.modifiedAt.toUTCString());
  return res;
}

export async function put(ctx: DavContext): Promise<Response> {
  const { c, deps, user } = ctx;
  const r = await resolveResource(deps.db, user, ctx.path.segments);
  if (r.isDir) return methodNotAllowed(`${r.treePath} is a folder`);
  if (!r.parentExists) throw new ConflictError('the folder it would be in does not exist', { code: 'parent_not_found' });
  const current = resourceEtag(r.row);
  const ifMatch = c.req.header('if-match');
  if (ifMatch !== undefined && !etagListHas(ifMatch, current)) throw new PreconditionFailedError('If-Match does not match');
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch !== undefined && r.exists && (ifNoneMatch.trim() === '*' || etagListHas(ifNoneMatch, current))) {
    throw new PreconditionFailedError('If-None-Match: the file exists');
  }
  await guardWrite(ctx, [{ segments: r.segments, missing: !r.exists }]);
  const length = contentLength(c.req.header('content-length'));
  // Kept by the commit itself, like a sync client's modification time.
  const mtime = mtimeHeader(c.req.header(WEBDAV_MTIME_HEADER));
  const { row } = await simpleUpload(deps, user, { path: r.treePath, baseRev: null, overwrite: true, length, mtime }, c.req.raw.body);
  const headers: Record<string, string> = {};
  if (row.contentHash) headers.ETag = etagOf(row.contentHash);
  if (mtime) headers['X-OC-Mtime'] = 'accepted';
  return new Response(null, { status: r.exists ? 204 : 201, headers });
}

function etagListHas(header: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
