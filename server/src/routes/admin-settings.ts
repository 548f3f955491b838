/** Run-time settings and the audit log, for administrators. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import { actorOf } from '../audit/actor.js';
import { searchAudit } from '../audit/search.js';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { changeSettings } from '../settings/change.js';

export function adminSettingsRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, settings, config } = deps;
  const r = operationRouter(deps);

  r.mount(ops.adminGetSettings, async () => ({ status: 200, body: await settings.describe() }));

  r.mount(ops.adminPutSettings, async ({ body, user }, c) => ({
    status: 200,
    body: await changeSettings(db, settings, { ...actorOf(c, user, config.trustProxy), id: user.id }, body),
  }));

  r.mount(ops.adminAuditLog, async ({ query }) => {
    const page = await searchAudit(db, query);
    return { status: 200, body: { ...page, retentionDays: (await settings.values()).auditRetentionDays } };
  });

  return r.router;
}
