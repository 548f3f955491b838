/**
 * MKCOL, DELETE, COPY and MOVE on the file services REST uses (makeFolder, trashEntry, copyEntry,
 * moveEntry): each in one transaction, so they journal and notify like the API's. DELETE moves
 * to the trash. Statuses as RFC 4918 §9.3, 9.6, 9.8, 9.9 give them.
 */
import { ConflictError, ForbiddenError, HttpError, NotFoundError, PreconditionFailedError } from '../http-errors.js';
import { copyEntry } from '../files/copy.js';
import { makeFolder } from '../files/mkdir.js';
import { moveEntry } from '../files/move.js';
import { trashEntry } from '../files/trash.js';
import { hasBody } from './body.js';
import { resolveResource, type DavContext } from './context.js';
import { guardWrite } from './guard.js';
import { dropLocksAtOrBelow } from './lock-store.js';
import { destinationOf } from './paths.js';
import { joinPath } from '../names.js';
import { copyProps } from './prop-store.js';

export async function mkcol(ctx: DavContext): Promise<Response> {
  if (hasBody(ctx.c)) throw new HttpError(415, 'bad_request', 'MKCOL takes no body');
  const r = await resolveResource(ctx.deps.db, ctx.user, ctx.path.segments);
  if (r.exists) return methodNotAllowed(`${r.treePath} exists already`);
  if (!r.parentExists) throw new ConflictError('the folder it would be in does not exist', { code: 'parent_not_found' });
  await guardWrite(ctx, [{ segments: r.segments, missing: true }]);
  await ctx.deps.db.transaction((tx) => makeFolder(tx, ctx.user, r.treePath, false));
  return new Response(null, { status: 201 });
}

export async function del(ctx: DavContext): Promise<Response> {
  const { db } = ctx.deps;
  const r = await resolveResource(db, ctx.user, ctx.path.segments);
  if (r.isRoot) throw new ForbiddenError('the root folder cannot be deleted');
  if (!r.exists) throw new NotFoundError(`nothing at ${r.treePath}`);
  await guardWrite(ctx, [{ segments: r.segments, below: true }]);
  await db.transaction(async (tx) => {
    await trashEntry(tx, ctx.user, { path: r.treePath });
    await dropLocksAtOrBelow(tx, ctx.user.namespaceId, r.lockKey);
  });
  return new Response(null, { status: 204 });
}

/** COPY and MOVE: Depth (COPY: 0 or infinity; MOVE: infinity), Overwrite (default T), Destination on this tree. */
export async function copyOrMove(ctx: DavContext, move: boolean): Promise<Response> {
  const { db } = ctx.deps;
  const depth = (ctx.c.req.header('depth') ?? 'infinity').trim().toLowerCase();
  if (depth !== 'infinity' && !(depth === '0' && !move)) throw new HttpError(400, 'bad_request', `${move ? 'MOVE' : 'COPY'} takes Depth ${move ? 'infinity' : '0 or infinity'}`);
  const overwriteHeader = (ctx.c.req.header('overwrite') ?? 'T').trim().toUpperCase();
  if (overwriteHeader !== 'T' && overwriteHeader !== 'F') throw new HttpError(400, 'bad_request', 'Overwrite is T or F');
  const dest = destinationOf(ctx.c.req.header('destination'), ctx.url, ctx.user);

  const src = await resolveResource(db, ctx.user, ctx.path.segments);
  if (src.isRoot) throw new ForbiddenError('the root folder cannot be copied or moved');
  if (!src.exists) throw new NotFoundError(`nothing at ${src.treePath}`);
  const to = await resolveResource(db, ctx.user, dest.segments);
  if (to.isRoot) throw new ForbiddenError('the root folder cannot be a destination');
  // The typed last name: a MOVE may change only a name's case ('a.txt' → 'A.txt').
  const toPath = joinPath([...to.treePath.slice(1).split('/').slice(0, -1), dest.segments.at(-1)!]);
  if (to.row !== undefined && to.row.id === src.row?.id) {
    if (!move || toPath === src.treePath) throw new ForbiddenError('the source and destination are the same resource');
    await guardWrite(ctx, [{ segments: src.segments, below: true }]);
    await db.transaction((tx) => moveEntry(tx, ctx.user, { path: src.treePath }, toPath));
    return new Response(null, { status: 201 });
  }
  if (to.lockKey.startsWith(`${src.lockKey}/`)) throw new ForbiddenError('a folder cannot go inside itself');
  if (!to.parentExists) throw new ConflictError('the destination folder does not exist', { code: 'parent_not_found' });
  if (to.exists && overwriteHeader === 'F') throw new PreconditionFailedError('the destination exists and Overwrite is F');

  await guardWrite(ctx, [...(move ? [{ segments: src.segments, below: true }] : []), { segments: to.segments, below: true, missing: !to.exists }]);
  await db.transaction(async (tx) => {
    if (to.exists) {
      await trashEntry(tx, ctx.user, { path: to.treePath });
      await dropLocksAtOrBelow(tx, ctx.user.namespaceId, to.lockKey);
    }
    if (move) {
      await moveEntry(tx, ctx.user, { path: src.treePath }, toPath);
      await dropLocksAtOrBelow(tx, ctx.user.namespaceId, src.lockKey);
    } else if (src.isDir && depth === '0') {
      const made = await makeFolder(tx, ctx.user, toPath, false);
      await copyProps(tx, src.row!.id, made.id);
    } else {
      const made = await copyEntry(tx, ctx.user, { path: src.treePath }, toPath);
      await copyProps(tx, src.row!.id, made.id);
    }
  });
  return new Response(null, { status: to.exists ? 204 : 201 });
}

export function methodNotAllowed(message: string): Response {
  return new Response(`${message}\n`, { status: 405, headers: { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK, PUT' } });
}
