/** The lifecycle of stored data for administrators (issue 23): the change journal's size and age. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { journalStats } from '../sync/journal-retention.js';

export function adminLifecycleRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, settings } = deps;
  const r = operationRouter(deps);

  r.mount(ops.adminJournal, async () => ({
    status: 200,
    body: { ...(await journalStats(db)), retentionDays: (await settings.values()).journalRetentionDays },
  }));

  return r.router;
}
