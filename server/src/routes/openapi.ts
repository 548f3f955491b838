/** GET /api/v1/openapi.json — public (mounted before authentication): the API's description,
 *  generated from @coffer/protocol once and served as it is. */
import type { Hono } from 'hono';
import { openApiDocument, operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';

let json: string | undefined;

/** The document, serialised once. */
export function openApiJson(): string {
  return (json ??= JSON.stringify(openApiDocument()));
}

export function openapiRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = operationRouter(deps);
  r.mount(ops.getOpenApi, async (_input, c) =>
    c.body(openApiJson(), 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'public, max-age=300' }),
  );
  return r.router;
}
