import { Hono } from 'hono';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';

export function changeRoutes(_deps: AppDeps): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  return r;
}
