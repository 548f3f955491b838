/**
 * GET /readyz: ready only when a write can be acknowledged now — the metadata database answers,
 * and at least the write quorum of hot nodes answers a probe and takes new shards. The quorum is
 * the engine's own (`BlockStore.writeQuorum`): k + 1 shards of the k+m code it picks for the
 * current node count, each on its own node (4+2 → 5 nodes; 2+1 → all 3). With fewer, the engine
 * may still store some writes with shards doubled up on one node (degraded from birth) or refuse
 * them; either way the server is not ready. Probes are live, each bounded by a timeout, so a hung
 * node or database makes the answer 503 rather than no answer.
 */
import { sql } from 'drizzle-orm';
import type { Readiness, ReadinessNode } from '@coffer/protocol';
import type { AppDeps } from '../deps.js';

const PROBE_KEY = 'health/probe';
const PROBE_TIMEOUT_MS = 2_000;

export async function readiness(deps: Pick<AppDeps, 'db' | 'storage'>): Promise<Readiness> {
  const pool = deps.storage.blocks.pool;
  const [nodes, database] = await Promise.all([
    Promise.all(
      pool.all().map(async (n): Promise<ReadinessNode> => {
        const t0 = performance.now();
        const up = await within(n.head(PROBE_KEY), PROBE_TIMEOUT_MS).then(
          () => true,
          () => false,
        );
        return { id: n.id, tier: pool.tierOf(n.id) ?? 'hot', state: pool.state(n.id) ?? 'down', up, latencyMs: up ? Math.round((performance.now() - t0) * 10) / 10 : null };
      }),
    ),
    within(deps.db.execute(sql`select 1`), PROBE_TIMEOUT_MS).then(
      () => true,
      () => false,
    ),
  ]);
  const quorum = deps.storage.blocks.writeQuorum();
  const reachable = nodes.filter((n) => n.tier === 'hot' && n.up && n.state !== 'draining').length;
  const storageOk = reachable >= quorum.shards;
  const failing: Readiness['failing'] = [...(database ? [] : (['database'] as const)), ...(storageOk ? [] : (['storage'] as const))];
  return {
    status: failing.length === 0 ? 'ready' : 'not ready',
    failing,
    database,
    storage: { ok: storageOk, code: `${quorum.k}+${quorum.m}`, needed: quorum.shards, reachable },
    nodes,
  };
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
