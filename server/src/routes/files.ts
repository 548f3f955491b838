/**
 * The file tree over HTTP (API.md): list, metadata, mkdir, move, copy, delete, search. Routes
 * validate and hand over to files/ (one concept per module); every change is one transaction
 * with its journal rows. Paths and ids the caller cannot reach answer 404 like missing ones.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { copyEntry } from '../files/copy.js';
import { listFolder } from '../files/listing.js';
import { makeFolder } from '../files/mkdir.js';
import { moveEntry } from '../files/move.js';
import { resolveEntry } from '../files/resolve.js';
import { searchByName } from '../files/search.js';
import { trashEntry } from '../files/trash.js';
import { fileView } from '../files/view.js';
import { parse, parseJsonBody } from '../http-errors.js';
import { LIST_ORDERS, LIST_SORTS, ListCursor } from '../wire/cursors.js';
import { id, int4, MAX_PATH_CHARS, optionalParam, pageCursor, path, queryInt, text } from '../wire/fields.js';

const limit = (max: number, fallback: number) => queryInt(1, max).default(fallback);

const listQuery = z.object({
  path: text(MAX_PATH_CHARS).default('/'),
  limit: limit(1000, 100),
  // `cursor=` (empty, as in API.md's example) is the first page.
  cursor: optionalParam(pageCursor(ListCursor)),
  sort: z.enum(LIST_SORTS).default('name'),
  order: z.enum(LIST_ORDERS).default('asc'),
});

/** The root is '/', so a path here may not be empty. */
const pathQuery = z.object({ path: path() });

const mkdirBody = z.strictObject({ path: path(), parents: z.boolean().optional() });

/** `{path}` or `{id}`, exactly one. */
const oneOf = <K extends string>(pathKey: K) =>
  (v: Partial<Record<K | 'id', unknown>>) => (v[pathKey] === undefined) !== (v.id === undefined);

const relocateBody = z
  .strictObject({ from: path().optional(), id: id().optional(), to: path() })
  .refine(oneOf('from'), { message: 'give exactly one of from (a path) and id' });

const deleteBody = z
  .strictObject({
    path: path().optional(),
    id: id().optional(),
    /** Trash only while the head revision is this one. */
    rev: int4().optional(),
    /** false: a folder only when it holds nothing live. */
    recursive: z.boolean().optional(),
  })
  .refine(oneOf('path'), { message: 'give exactly one of path and id' });

const searchQuery = z.object({
  q: text(255, 1),
  limit: limit(1000, 100),
});

export function fileRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const { db } = deps;

  r.get('/list', async (c) => {
    const q = parse(listQuery, c.req.query());
    return c.json(await listFolder(db, c.get('user'), q));
  });

  r.get('/metadata', async (c) => {
    const { path } = parse(pathQuery, c.req.query());
    const found = await resolveEntry(db, c.get('user'), { path }, 'read');
    return c.json(fileView(found.row, found.path));
  });

  r.get('/files/:id', async (c) => {
    const found = await resolveEntry(db, c.get('user'), { id: c.req.param('id') }, 'read'); // not a UUID: 404 (tree.ts)
    return c.json(fileView(found.row, found.path));
  });

  r.post('/mkdir', async (c) => {
    const body = await parseJsonBody(c, mkdirBody);
    const user = c.get('user');
    const view = await db.transaction((tx) => makeFolder(tx, user, body.path, body.parents ?? false));
    return c.json(view, 201);
  });

  r.post('/move', async (c) => {
    const body = await parseJsonBody(c, relocateBody);
    const user = c.get('user');
    const view = await db.transaction((tx) => moveEntry(tx, user, { path: body.from, id: body.id }, body.to));
    return c.json(view);
  });

  r.post('/copy', async (c) => {
    const body = await parseJsonBody(c, relocateBody);
    const user = c.get('user');
    const view = await db.transaction((tx) => copyEntry(tx, user, { path: body.from, id: body.id }, body.to));
    return c.json(view, 201);
  });

  r.post('/delete', async (c) => {
    const body = await parseJsonBody(c, deleteBody);
    const user = c.get('user');
    const view = await db.transaction((tx) => trashEntry(tx, user, { path: body.path, id: body.id }, { rev: body.rev, recursive: body.recursive }));
    return c.json(view);
  });

  r.get('/search', async (c) => {
    const q = parse(searchQuery, c.req.query());
    return c.json(await searchByName(db, c.get('user'), q.q, q.limit));
  });

  return r;
}
