/** Storage as the operator watches it: nodes with their load, moves in progress, repair, scrub and tiering. */
import { z } from 'zod';
import { count } from '../fields.js';
import { timestamp } from './common.js';
import { JOB_STATES, NodeView } from './admin.js';
import { ScrubSummary } from './admin-overview.js';

export const NodeStats = NodeView.extend({
  shards: count().register(z.globalRegistry, { description: 'Shard records on the node' }),
  shardBytes: count().register(z.globalRegistry, { description: 'Bytes of those shards (estimated from the blocks’ frames)' }),
  latencyMs: z.number().nonnegative().nullable().register(z.globalRegistry, { description: 'Last health probe’s round trip; null before one answered' }),
}).register(z.globalRegistry, { id: 'NodeStats' });
export type NodeStats = z.infer<typeof NodeStats>;

export const NodeTask = z
  .object({
    jobId: z.string(),
    kind: z.enum(['drain', 'rebalance']),
    nodeId: z.string(),
    state: z.enum(JOB_STATES),
    shardsLeft: count().nullable().register(z.globalRegistry, { description: 'drain: shards still on the node' }),
    bytesLeft: count().nullable(),
    movedShards: count(),
    movedBytes: count(),
    bytesPerSecond: z.number().nonnegative().nullable(),
    secondsLeft: z.number().nonnegative().nullable().register(z.globalRegistry, { description: 'At the rate so far; null when unknown' }),
    startedAt: timestamp(),
    finishedAt: timestamp().nullable(),
    lastError: z.string().nullable(),
  })
  .register(z.globalRegistry, { id: 'NodeTask', description: 'A drain or rebalance and how far it got.' });
export type NodeTask = z.infer<typeof NodeTask>;

export const TieringRun = z
  .object({ jobId: z.string(), state: z.enum(JOB_STATES), finishedAt: timestamp().nullable(), moved: count(), bytesFreed: count(), bytesWritten: count(), failed: count() })
  .register(z.globalRegistry, { id: 'TieringRun' });

export const StorageReport = z
  .object({
    nodes: z.array(NodeStats),
    tasks: z.array(NodeTask).register(z.globalRegistry, { description: 'Drains and rebalances: active ones, then the last finished ones' }),
    repair: z.object({
      degraded: count(),
      repairing: count(),
      running: z.boolean(),
      lastRunAt: timestamp().nullable(),
      lastRepaired: count().nullable(),
    }),
    scrub: z.object({
      everySeconds: count(),
      nextRunAt: timestamp(),
      blocksPerSecond: z.number().positive(),
      history: z.array(ScrubSummary).register(z.globalRegistry, { description: 'Newest first' }),
    }),
    tiering: z.object({
      enabled: z.boolean().register(z.globalRegistry, { description: 'A cold tier is configured' }),
      afterDays: z.number().positive().register(z.globalRegistry, { description: 'Blocks not read for this long move to the cold tier' }),
      everySeconds: count(),
      nextRunAt: timestamp(),
      coldBlocks: count(),
      coldBytes: count().register(z.globalRegistry, { description: 'Bytes after dedup now on the cold tier' }),
      movedTotal: count().register(z.globalRegistry, { description: 'Blocks moved by the runs listed' }),
      history: z.array(TieringRun).register(z.globalRegistry, { description: 'Newest first' }),
    }),
  })
  .register(z.globalRegistry, { id: 'StorageReport', description: 'Nodes, moves, repair, scrub and tiering at a glance.' });
export type StorageReport = z.infer<typeof StorageReport>;

export const JobSchedule = z
  .object({
    kind: z.string(),
    everySeconds: count(),
    nextRunAt: timestamp(),
    lastRun: z.object({ jobId: z.string(), state: z.enum(JOB_STATES), at: timestamp() }).nullable(),
  })
  .register(z.globalRegistry, { id: 'JobSchedule' });
export const JobScheduleList = z.object({ schedules: z.array(JobSchedule) }).register(z.globalRegistry, { id: 'JobScheduleList' });
