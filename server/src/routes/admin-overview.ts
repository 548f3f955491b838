/** The operator's overview, usage series, storage report and job schedules (administrators). */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { overview } from '../health/overview.js';
import { storageReport } from '../health/storage-report.js';
import { operationRouter } from '../http/operation.js';
import { schedulesOf } from '../jobs/index.js';
import { scheduleViews } from '../jobs/schedules.js';
import { nodeViews } from '../nodes/view.js';
import { usageSeries } from '../usage/samples.js';

export function adminOverviewRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, config } = deps;
  const { registry, monitor } = deps.storage;
  const r = operationRouter(deps);

  r.mount(ops.adminOverview, async () => ({ status: 200, body: await overview(db, nodeViews(await registry.rows(), await monitor.snapshot())) }));

  r.mount(ops.adminUsageSeries, async ({ query }) => ({
    status: 200,
    body: { range: query.range, sampleSeconds: Math.round(config.usage.sampleMs / 1000), points: await usageSeries(db, query.range) },
  }));

  r.mount(ops.adminStorageReport, async () => {
    const health = await monitor.snapshot();
    return { status: 200, body: await storageReport(db, nodeViews(await registry.rows(), health), health, { config, schedules: schedulesOf(config) }) };
  });

  r.mount(ops.adminJobSchedules, async () => ({ status: 200, body: { schedules: await scheduleViews(db, schedulesOf(config)) } }));

  return r.router;
}
