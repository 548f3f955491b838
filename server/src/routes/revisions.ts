/** Revisions: list a file's history, its block lists, restore an old revision as the newest one, keep one forever. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { blockListOf, headModifiedAt, listRevisions, restoreRevision, versionOf } from '../files/revisions.js';
import { blockListsOf } from '../files/block-lists.js';
import { keepRevision } from '../files/revisions-keep.js';
import { entryById, entryByPath, pathOf } from '../files/tree.js';
import { fileView } from '../files/view.js';
import { operationRouter } from '../http/operation.js';

export function revisionRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.listRevisions, async ({ query, user }) => {
    const { row } = await entryByPath(db, user, query.path, 'read');
    return { status: 200, body: { revisions: await listRevisions(db, row, query.limit) } };
  });

  r.mount(ops.listRevisionsById, async ({ params, query, user }) => {
    const row = await entryById(db, user, params.id, 'read');
    return { status: 200, body: { revisions: await listRevisions(db, row, query.limit) } };
  });

  // The block list of a revision (head by default), for delta downloads.
  r.mount(ops.revisionBlocks, async ({ query, user }) => {
    const { row } = await entryByPath(db, user, query.path, 'read');
    const v = await versionOf(db, row, query.rev);
    return { status: 200, body: { rev: v.rev, size: v.size, contentHash: v.contentHash, blocks: await blockListOf(db, v), ...headModifiedAt(row, v) } };
  });

  // Many files' block lists at once (a restore in batches), each answered on its own.
  r.mount(ops.revisionBlocksBatch, async ({ body, user }) => ({ status: 200, body: { results: await blockListsOf(db, user, body.files) } }));

  r.mount(ops.restoreRevision, async ({ body, user }) => {
    const row = body.path !== undefined ? (await entryByPath(db, user, body.path, 'write')).row : await entryById(db, user, body.id!, 'write');
    const restored = await restoreRevision(db, user, row, body.rev);
    return { status: 200, body: fileView(restored, await pathOf(db, restored)) };
  });

  r.mount(ops.keepRevision, async ({ body, user }) => {
    const row = body.path !== undefined ? (await entryByPath(db, user, body.path, 'write')).row : await entryById(db, user, body.id!, 'write');
    return { status: 200, body: await keepRevision(db, row, body.rev, body.keep, user.id) };
  });

  return r.router;
}
