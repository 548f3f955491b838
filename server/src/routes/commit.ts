/** POST /files/commit — a sync client's new version from blocks already uploaded (uploads/delta-commit.ts). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { fileView } from '../files/view.js';
import { operationRouter } from '../http/operation.js';
import { commitSync } from '../uploads/delta-commit.js';

export function commitRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = operationRouter(deps);

  r.mount(ops.commitFromBlocks, async ({ body, user }) => {
    const out = await commitSync(deps, user, {
      path: body.path,
      size: body.size,
      blocks: body.blocks,
      baseRev: body.baseRev,
      ...(body.fileId !== undefined ? { fileId: body.fileId } : {}),
      overwrite: body.overwrite ?? false,
      onConflict: body.onConflict ?? 'fail',
      ...(body.mtime !== undefined ? { mtime: new Date(body.mtime) } : {}),
    });
    return { status: 201, body: { ...fileView(out.row, out.path), conflict: out.conflict !== undefined, ...(out.conflict ?? {}) } };
  });

  return r.router;
}
