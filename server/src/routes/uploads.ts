/** Uploads: simple (`uploadType=media`) and resumable (`uploadType=resumable` + session PUTs). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import { contentLength } from '../content-length.js';
import type { AppDeps } from '../deps.js';
import { fileView } from '../files/view.js';
import { operationRouter } from '../http/operation.js';
import { absoluteUrl } from '../public-url.js';
import { parseContentRange } from '../uploads/content-range.js';
import { cancelSession, putPiece, startSession } from '../uploads/sessions.js';
import { simpleUpload } from '../uploads/simple.js';
import { uploadBody } from '../uploads/body.js';

export function uploadRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = operationRouter(deps);

  r.mount(ops.upload, async ({ query, body, user }, c) => {
    if (body) {
      // uploadType=resumable: the JSON body names the file.
      const s = await startSession(deps, user, { path: body.path, size: body.size, baseRev: body.baseRev ?? null, overwrite: body.overwrite ?? false });
      const sessionUrl = `/api/v1/upload/sessions/${s.id}`;
      return {
        status: 200,
        body: { sessionId: s.id, sessionUrl, expiresAt: s.expiresAt.toISOString() },
        headers: { Location: absoluteUrl(c, deps.config, sessionUrl) },
      };
    }
    const length = contentLength(c.req.header('content-length'));
    const opts = { path: query.path!, baseRev: query.baseRev ?? null, overwrite: query.overwrite ?? false, length };
    const { row, path } = await simpleUpload(deps, user, opts, uploadBody(c));
    return { status: 201, body: fileView(row, path) };
  });

  r.mount(ops.uploadPiece, async ({ params, user }, c) => {
    const range = parseContentRange(c.req.header('content-range'), contentLength(c.req.header('content-length')));
    const result = await putPiece(deps, user, params.id, range, uploadBody(c));
    if (result.kind === 'committed') return { status: 201, body: fileView(result.row, result.path) };
    // 308 "Resume Incomplete": Range names the bytes durably stored (none: no Range header).
    return result.received > 0 ? { status: 308, headers: { Range: `bytes=0-${result.received - 1}` } } : { status: 308 };
  });

  r.mount(ops.cancelUpload, async ({ params, user }) => {
    await cancelSession(deps, user, params.id);
    return { status: 204 };
  });

  return r.router;
}
