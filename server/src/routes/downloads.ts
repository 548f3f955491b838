/** Downloads: by path or by id, the head or any revision, with Range, ETag and conditional requests. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { sendVersion } from '../downloads/send.js';
import { versionOf } from '../files/revisions.js';
import { entryById, entryByPath } from '../files/tree.js';
import { contentDisposition } from '../downloads/disposition.js';
import { ConflictError } from '../http-errors.js';
import { folderZip } from '../links/zip.js';
import { operationRouter } from '../http/operation.js';

export function downloadRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  // HEAD requests reach the GET routes (Hono answers them without the body); the HEAD
  // operations are mounted too, so that every documented operation is a route.
  for (const op of [ops.download, ops.downloadHead]) {
    r.mount(op, async ({ query, user }, c) => {
      const { row } = await entryByPath(db, user, query.path, 'read');
      return sendVersion(c, deps, row.name, await versionOf(db, row, query.rev), { inline: query.inline });
    });
  }

  for (const op of [ops.downloadById, ops.downloadByIdHead]) {
    r.mount(op, async ({ params, query, user }, c) => {
      const row = await entryById(db, user, params.id, 'read');
      return sendVersion(c, deps, row.name, await versionOf(db, row, query.rev), { inline: query.inline });
    });
  }

  // A folder as one streamed zip (the same writer as a folder link's): whoever may read the folder.
  r.mount(ops.downloadFolderZip, async ({ params, user }, c) => {
    const row = await entryById(db, user, params.id, 'read');
    if (!row.isDir) throw new ConflictError('a file is not a folder: download it as it is', { code: 'not_a_folder' });
    const zip = await folderZip(deps, row);
    const headers = { 'Content-Type': 'application/zip', 'Content-Disposition': contentDisposition(`${row.name}.zip`, false), 'Content-Length': String(zip.length), 'X-Content-Type-Options': 'nosniff' };
    if (c.req.method === 'HEAD') {
      await zip.stream.cancel();
      return c.body(null, 200, headers);
    }
    return c.body(zip.stream, 200, headers);
  });

  return r.router;
}
