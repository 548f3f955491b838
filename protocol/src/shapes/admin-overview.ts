/** The operator's overview on the wire: is the data safe, how much is stored at each stage, usage over time. */
import { z } from 'zod';
import { count } from '../fields.js';
import { timestamp } from './common.js';
import { TIERS } from './admin.js';

export const SAFETY_STATES = ['safe', 'repairing', 'degraded', 'at_risk'] as const;

/** Bytes after each stage of the pipeline; a stage's saving is the previous stage's bytes minus its own. */
const StageBytes = {
  logicalBytes: count().register(z.globalRegistry, { description: 'What users stored: the sizes of every kept version (quota use)' }),
  dedupBytes: count().register(z.globalRegistry, { description: 'After deduplication: each distinct block once' }),
  compressedBytes: count().register(z.globalRegistry, { description: 'After compression (and encryption framing): the blocks’ frames' }),
  storedBytes: count().register(z.globalRegistry, { description: 'After erasure coding or replication: what the nodes hold' }),
};

export const TierUsage = z.object({ tier: z.enum(TIERS), blocks: count(), ...StageBytes }).register(z.globalRegistry, { id: 'TierUsage' });
export type TierUsage = z.infer<typeof TierUsage>;

export const StorageSavings = z
  .object({
    dedupBytes: z.number().int().register(z.globalRegistry, { description: 'logical − after dedup' }),
    compressionBytes: z.number().int().register(z.globalRegistry, { description: 'after dedup − after compression' }),
    redundancyBytes: z.number().int().register(z.globalRegistry, { description: 'after compression − stored: negative, the price of redundancy' }),
  })
  .register(z.globalRegistry, { id: 'StorageSavings' });

export const ScrubSummary = z
  .object({
    jobId: z.string(),
    state: z.string(),
    finishedAt: timestamp().nullable(),
    scanned: count(),
    damaged: count(),
    repaired: count(),
    unrepaired: count(),
  })
  .register(z.globalRegistry, { id: 'ScrubSummary', description: 'One scrub run and what it found' });
export type ScrubSummary = z.infer<typeof ScrubSummary>;

export const AdminOverview = z
  .object({
    safety: z.enum(SAFETY_STATES).register(z.globalRegistry, {
      description:
        '`safe`: every node up and no degraded block; `repairing`: degraded blocks with a repair running or queued; `degraded`: blocks below full redundancy or a node down; `at_risk`: blocks that cannot be read or fewer nodes up than a write needs',
    }),
    nodes: z.object({ up: count(), down: count(), draining: count(), total: count().register(z.globalRegistry, { description: 'Live (not retired) nodes' }) }),
    blocks: z.object({
      total: count(),
      redundant: count().register(z.globalRegistry, { description: 'Fully redundant: every shard where it should be' }),
      degraded: count(),
      repairing: count().register(z.globalRegistry, { description: 'Degraded blocks a repair has tried or is trying' }),
    }),
    lastScrub: ScrubSummary.nullable(),
    jobs: z.object({ queued: count(), running: count(), failedRecently: count().register(z.globalRegistry, { description: 'Failed in the last 7 days' }) }),
    users: z.object({ total: count(), disabled: count() }),
    storage: z.object({ ...StageBytes, savings: StorageSavings, tiers: z.array(TierUsage) }),
    at: timestamp(),
  })
  .register(z.globalRegistry, { id: 'AdminOverview', description: 'Is the data safe, and what it takes to store it.' });
export type AdminOverview = z.infer<typeof AdminOverview>;

export const USAGE_RANGES = ['1h', '24h', '7d', '30d', '365d'] as const;
export type UsageRange = (typeof USAGE_RANGES)[number];
export const UsageQuery = z.object({ range: z.enum(USAGE_RANGES).default('24h') });

export const UsagePoint = z
  .object({
    at: timestamp(),
    ...StageBytes,
    bytesIn: count().register(z.globalRegistry, { description: 'Request bytes received since the previous point (all instances)' }),
    bytesOut: count().register(z.globalRegistry, { description: 'Answer bytes sent since the previous point (all instances)' }),
  })
  .register(z.globalRegistry, { id: 'UsagePoint' });
export type UsagePoint = z.infer<typeof UsagePoint>;

export const UsageSeries = z
  .object({
    range: z.enum(USAGE_RANGES),
    sampleSeconds: count().register(z.globalRegistry, { description: 'How often the sampler records a point' }),
    points: z.array(UsagePoint).register(z.globalRegistry, { description: 'Oldest first; at most a few hundred (long ranges keep one point per bucket)' }),
  })
  .register(z.globalRegistry, { id: 'UsageSeries' });
export type UsageSeries = z.infer<typeof UsageSeries>;
