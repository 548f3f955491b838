import { Hono } from 'hono';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { openapiJson } from '../openapi/document.js';

/** GET /api/v1/openapi.json — public (mounted before authentication): the API's description. */
export function openapiRoutes(_deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.get('/openapi.json', (c) => {
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(openapiJson());
  });
  return r;
}
