/** What GET /healthz (liveness) and GET /readyz (readiness) answer. */
import { z } from 'zod';

export const Liveness = z.object({ status: z.literal('ok') });
export type Liveness = z.infer<typeof Liveness>;

export const ReadinessNode = z.object({
  id: z.string(),
  tier: z.enum(['hot', 'cold']),
  /** The node's state in the pool: up, down (its probes fail), draining (taking no new shards). */
  state: z.enum(['up', 'down', 'draining']),
  /** It answered this readiness probe in time. */
  up: z.boolean(),
  latencyMs: z.number().nullable(),
});
export type ReadinessNode = z.infer<typeof ReadinessNode>;

export const Readiness = z.object({
  status: z.enum(['ready', 'not ready']),
  /** Which parts fail: the database does not answer, or too few hot nodes for a write. */
  failing: z.array(z.enum(['database', 'storage'])),
  /** The metadata database answered `select 1` in time. */
  database: z.boolean(),
  storage: z.object({
    ok: z.boolean(),
    /** The code new large blocks get now, e.g. "4+2". */
    code: z.string(),
    /** Hot nodes a write needs reachable (the write quorum: k + 1 shards, each on its own node). */
    needed: z.number().int(),
    /** Hot nodes that answered and take new shards (draining ones do not). */
    reachable: z.number().int(),
  }),
  nodes: z.array(ReadinessNode),
});
export type Readiness = z.infer<typeof Readiness>;
