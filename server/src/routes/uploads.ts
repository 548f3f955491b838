/** Uploads: simple (`uploadType=media`) and resumable (`uploadType=resumable` + session PUTs). */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { fileView } from '../files/view.js';
import { BadRequestError, parse, parseJsonBody } from '../http-errors.js';
import { discardBody } from '../uploads/body.js';
import { parseContentRange } from '../uploads/content-range.js';
import { cancelSession, putPiece, startSession } from '../uploads/sessions.js';
import { simpleUpload } from '../uploads/simple.js';
import { contentLength, declaredLength } from '../content-length.js';
import { absoluteUrl } from '../public-url.js';
import { count, int4, path, queryFlag, queryRev } from '../wire/fields.js';

const MediaQuery = z.object({
  uploadType: z.literal('media'),
  path: path(),
  baseRev: queryRev().optional(),
  overwrite: queryFlag().optional(),
});

const ResumableBody = z.object({
  path: path(),
  size: count().optional(),
  baseRev: int4().nullable().optional(),
  overwrite: z.boolean().optional(),
});

export function uploadRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.post('/upload', async (c) => {
    const type = c.req.query('uploadType');
    if (type === 'resumable') {
      const body = await parseJsonBody(c, ResumableBody);
      const s = await startSession(deps, c.get('user'), { path: body.path, size: body.size, baseRev: body.baseRev ?? null, overwrite: body.overwrite ?? false });
      const sessionUrl = `/api/v1/upload/sessions/${s.id}`;
      c.header('Location', absoluteUrl(c, deps.config, sessionUrl));
      return c.json({ sessionId: s.id, sessionUrl, expiresAt: s.expiresAt.toISOString() });
    }
    if (type !== 'media') throw new BadRequestError("uploadType must be 'media' (one request) or 'resumable'", { code: 'invalid_upload_type' });
    try {
      const q = parse(MediaQuery, c.req.query());
      const { row, path } = await simpleUpload(
        deps,
        c.get('user'),
        { path: q.path, baseRev: q.baseRev ?? null, overwrite: q.overwrite ?? false, length: contentLength(c.req.header('content-length')) },
        c.req.raw.body,
      );
      return c.json(fileView(row, path), 201);
    } catch (err) {
      await discardBody(c.req.raw.body, declaredLength(c.req.header('content-length')));
      throw err;
    }
  });

  r.put('/upload/sessions/:id', async (c) => {
    let result;
    try {
      const range = parseContentRange(c.req.header('content-range'), contentLength(c.req.header('content-length')));
      result = await putPiece(deps, c.get('user'), c.req.param('id'), range, c.req.raw.body);
    } catch (err) {
      await discardBody(c.req.raw.body, declaredLength(c.req.header('content-length')));
      throw err;
    }
    if (result.kind === 'committed') return c.json(fileView(result.row, result.path), 201);
    // 308 "Resume Incomplete": Range names the bytes durably stored (none: no Range header).
    return c.body(null, 308, result.received > 0 ? { Range: `bytes=0-${result.received - 1}` } : {});
  });

  r.delete('/upload/sessions/:id', async (c) => {
    await cancelSession(deps, c.get('user'), c.req.param('id'));
    return c.body(null, 204);
  });

  return r;
}
