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
import { LIST_SORTS, listFolder } from '../files/listing.js';
import { makeFolder } from '../files/mkdir.js';
import { moveEntry } from '../files/move.js';
import { resolveEntry } from '../files/resolve.js';
import { searchByName } from '../files/search.js';
import { trashEntry } from '../files/trash.js';
import { fileView } from '../files/view.js';
import { parse, parseJsonBody } from '../http-errors.js';

const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** `cursor=` (empty, as in API.md's example) is the first page. */
export const optionalCursor = z.preprocess((v) => (v === '' ? undefined : v), z.string().max(8192).optional());

const listQuery = z.object({
  path: z.string().default('/'),
  limit: limit(1000, 100),
  cursor: optionalCursor,
  sort: z.enum(LIST_SORTS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
});

const pathQuery = z.object({ path: z.string() });

const mkdirBody = z.strictObject({ path: z.string(), parents: z.boolean().optional() });

/** `{path}` or `{id}`, exactly one. */
const oneOf = <K extends string>(pathKey: K) =>
  (v: Partial<Record<K | 'id', unknown>>) => (v[pathKey] === undefined) !== (v.id === undefined);

const relocateBody = z
  .strictObject({ from: z.string().optional(), id: z.guid().optional(), to: z.string() })
  .refine(oneOf('from'), { message: 'give exactly one of from (a path) and id' });

const deleteBody = z
  .strictObject({
    path: z.string().optional(),
    id: z.guid().optional(),
    rev: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    recursive: z.boolean().optional(),
  })
  .refine(oneOf('path'), { message: 'give exactly one of path and id' });

const searchQuery = z.object({
  q: z.string().min(1).max(255),
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
    const found = await resolveEntry(db, c.get('user'), { id: c.req.param('id') }, 'read');
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
