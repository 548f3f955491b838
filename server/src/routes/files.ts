/**
 * The file tree over HTTP: list, metadata, mkdir, move, copy, delete, search, stars, recent files. Routes hand over
 * to files/ (one concept per module); every change is one transaction with its journal rows.
 * Paths and ids the caller cannot reach answer 404 like missing ones.
 */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { copyEntry } from '../files/copy.js';
import { listFolder } from '../files/listing.js';
import { listFolders } from '../files/list-batch.js';
import { makeFolder } from '../files/mkdir.js';
import { makeFolders } from '../files/mkdir-batch.js';
import { moveEntry } from '../files/move.js';
import { resolveEntry } from '../files/resolve.js';
import { listRecent } from '../files/recent.js';
import { searchByName } from '../files/search.js';
import { isStarred } from '../files/star-flag.js';
import { listStarred, starEntry, unstarEntry } from '../files/stars.js';
import { trashEntry } from '../files/trash.js';
import { fileView } from '../files/view.js';
import { batchItemError } from '../http-errors.js';
import { operationRouter } from '../http/operation.js';

export function fileRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.listFolder, async ({ query, user }) => ({ status: 200, body: await listFolder(db, user, query) }));

  r.mount(ops.listBatch, async ({ body, user }) => {
    const outcomes = await listFolders(db, user, body.paths, body.limit);
    const results = outcomes.map((o) => (o.ok ? { ok: true as const, ...o.page } : { ok: false as const, error: batchItemError(o.error) }));
    return { status: 200, body: { results } };
  });

  r.mount(ops.getMetadata, async ({ query, user }) => {
    const found = await resolveEntry(db, user, { path: query.path }, 'read');
    return { status: 200, body: { ...fileView(found.row, found.path), starred: await isStarred(db, user.id, found.row.id) } };
  });

  r.mount(ops.getFile, async ({ params, user }) => {
    const found = await resolveEntry(db, user, { id: params.id }, 'read');
    return { status: 200, body: { ...fileView(found.row, found.path), starred: await isStarred(db, user.id, found.row.id) } };
  });

  r.mount(ops.mkdir, async ({ body, user }) => ({
    status: 201,
    body: await db.transaction((tx) => makeFolder(tx, user, body.path, body.parents ?? false)),
  }));

  r.mount(ops.mkdirBatch, async ({ body, user }) => {
    const outcomes = await makeFolders(db, user, body.paths, body.parents ?? false);
    const results = outcomes.map((o) =>
      o.ok
        ? { ok: true as const, folder: o.folder }
        : { ok: false as const, error: batchItemError(o.error) },
    );
    return { status: 200, body: { results } };
  });

  r.mount(ops.move, async ({ body, user }) => ({
    status: 200,
    body: await db.transaction((tx) => moveEntry(tx, user, { path: body.from, id: body.id }, body.to)),
  }));

  r.mount(ops.copy, async ({ body, user }) => ({
    status: 201,
    body: await db.transaction((tx) => copyEntry(tx, user, { path: body.from, id: body.id }, body.to)),
  }));

  r.mount(ops.deleteEntry, async ({ body, user }) => ({
    status: 200,
    body: await db.transaction((tx) => trashEntry(tx, user, { path: body.path, id: body.id }, { rev: body.rev, recursive: body.recursive })),
  }));

  r.mount(ops.search, async ({ query, user }) => ({ status: 200, body: await searchByName(db, user, query.q, query.limit) }));

  r.mount(ops.starFile, async ({ params, user }) => ({ status: 200, body: await starEntry(db, user, params.id) }));
  r.mount(ops.unstarFile, async ({ params, user }) => ({ status: 200, body: await unstarEntry(db, user, params.id) }));
  r.mount(ops.listStarred, async ({ query, user }) => ({ status: 200, body: await listStarred(db, user, query) }));
  r.mount(ops.listRecent, async ({ query, user }) => ({ status: 200, body: await listRecent(db, user, query) }));

  return r.router;
}
