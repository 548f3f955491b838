/**
 * The WebDAV face (RFC 4918 class 1 and 2, RFC 4331 quota) at `/dav/` and `/dav/files/USERNAME/`:
 * Basic auth with app passwords, then one handler per method, each calling the same services,
 * permission function, quota and engine as the REST API. Errors are answered here in WebDAV's
 * terms (webdav/answers.ts) from the one mapping of http-errors.ts.
 */
import { Hono, type Context } from 'hono';
import { LoginLimiter } from '../auth/rate-limit.js';
import { BadRequestError } from '../http-errors.js';
import type { AppDeps } from '../deps.js';
import { WEBDAV_CLASSES, WEBDAV_METHODS, WEBDAV_PREFIX } from '@coffer/protocol';
import { davErrorResponse } from './answers.js';
import { davUser } from './auth.js';
import { get, put } from './content.js';
import type { DavContext } from './context.js';
import { lock, unlock } from './lock.js';
import { davPathOf } from './paths.js';
import { propfind } from './propfind.js';
import { proppatch } from './proppatch.js';
import { copyOrMove, del, methodNotAllowed, mkcol } from './tree-ops.js';

const ALLOW = WEBDAV_METHODS.join(', ');

export function webdavRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const limiter = new LoginLimiter(deps.config.loginLimits);
  const handle = async (c: Context): Promise<Response> => {
    const res = await answer(c, deps, limiter).catch(davErrorResponse);
    // Explorer and Office look for these on every answer.
    res.headers.set('DAV', WEBDAV_CLASSES);
    res.headers.set('MS-Author-Via', 'DAV');
    return res;
  };
  // Windows' WebClient asks OPTIONS of the server's root before it maps a drive below it.
  app.options('/', () => new Response(null, { status: 200, headers: { DAV: WEBDAV_CLASSES, 'MS-Author-Via': 'DAV', Allow: 'OPTIONS, GET, HEAD', 'Content-Length': '0' } }));
  app.all(WEBDAV_PREFIX, handle);
  app.all(`${WEBDAV_PREFIX}/*`, handle);
  return app;
}

async function answer(c: Context, deps: AppDeps, limiter: LoginLimiter): Promise<Response> {
  const method = c.req.method.toUpperCase();
  // OPTIONS answers before sign-in: Windows asks it anonymously to find out it may mount.
  if (method === 'OPTIONS') return new Response(null, { status: 200, headers: { Allow: ALLOW, 'Accept-Ranges': 'bytes', 'Content-Length': '0' } });
  const user = await davUser(c, deps, limiter);
  const url = new URL(c.req.url);
  // A fragment is the client's, never part of a resource's name: refuse rather than act on a cut path.
  if (url.hash !== '') throw new BadRequestError('a Request-URI carries no fragment (#): percent-encode # in names as %23', { code: 'invalid_url' });
  const ctx: DavContext = { c, deps, user, url, path: davPathOf(url.pathname, user) };
  switch (method) {
    case 'GET':
    case 'HEAD':
      return get(ctx);
    case 'PUT':
      return put(ctx);
    case 'DELETE':
      return del(ctx);
    case 'MKCOL':
      return mkcol(ctx);
    case 'COPY':
      return copyOrMove(ctx, false);
    case 'MOVE':
      return copyOrMove(ctx, true);
    case 'PROPFIND':
      return propfind(ctx);
    case 'PROPPATCH':
      return proppatch(ctx);
    case 'LOCK':
      return lock(ctx);
    case 'UNLOCK':
      return unlock(ctx);
    default:
      return methodNotAllowed(`${method} is not a WebDAV method this server answers`);
  }
}
