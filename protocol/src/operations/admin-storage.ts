/** Storage and jobs as the operator watches them: the storage report, retrying jobs, schedules (admin only). */
import { operation } from '../operation.js';
import { JobView } from '../shapes/admin.js';
import { JobScheduleList, StorageReport } from '../shapes/admin-storage.js';
import { IdParams } from '../shapes/files.js';

export const adminStorageReport = operation({
  id: 'adminStorageReport',
  method: 'GET',
  path: '/admin/storage',
  tag: 'admin',
  summary: 'Nodes with shard counts and latency; drains and rebalances with time left; repair, scrub and tiering (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'The report', json: StorageReport } },
});

export const adminRetryJob = operation({
  id: 'adminRetryJob',
  method: 'POST',
  path: '/admin/jobs/{id}/retry',
  tag: 'admin',
  summary: 'Queue a failed or cancelled job again, with its payload and progress (admin only)',
  description: '409 `not_retryable` when it is queued, running or done.',
  auth: 'admin',
  params: IdParams,
  badParams: { status: 404, code: 'not_found', message: 'no such job' },
  answers: { 200: { description: 'Queued again', json: JobView } },
  errors: [409],
});

export const adminJobSchedules = operation({
  id: 'adminJobSchedules',
  method: 'GET',
  path: '/admin/jobs/schedules',
  tag: 'admin',
  summary: 'The recurring jobs: how often, the next run, the last one (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'Schedules', json: JobScheduleList } },
});
