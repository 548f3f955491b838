/**
 * Node health: every node of the engine's pool is probed periodically (a HEAD of a probe key,
 * bounded by a timeout so a hung node counts as down). Results go into the NodePool itself — it
 * already tracks up/down with a back-off from the engine's own calls, so writes skip a node the
 * monitor found dead even when no user traffic touched it. Capacity comes from the driver where
 * it can tell (a local directory: statfs of its file system); S3 nodes do not say, so null.
 */
import { statfs } from 'node:fs/promises';
import { FsNode, type NodePool, type NodeState, type StorageNode, type Tier } from '@coffer/storage-engine';
import { componentLogger } from '../observability/log.js';

const log = componentLogger('health');

export interface NodeHealth {
  id: string;
  tier: Tier;
  state: NodeState;
  /** Last successful probe (ISO), null when none yet. */
  lastSeenAt: string | null;
  /** How long the last successful probe took. */
  latencyMs: number | null;
  usedBytes: number | null;
  capacityBytes: number | null;
}

interface Seen {
  ok: boolean;
  lastSeenAt: number | null;
  latencyMs: number | null;
  usedBytes: number | null;
  capacityBytes: number | null;
}

const PROBE_KEY = 'health/probe';

export class NodeMonitor {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: NodePool,
    private readonly opts: {
      intervalMs: number;
      timeoutMs?: number;
      now?: () => number;
      /**
       * A node's probe failed after succeeding (or on the first probe): every block with a shard
       * there is at risk, and the node may come back empty, so the server lists them for repair.
       */
      onDown?: (nodeId: string) => Promise<void>;
      /** Runs before each round (the node registry's refresh: nodes come and go at run time). */
      beforeRound?: () => Promise<void>;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** No more rounds; resolves when the one under way (if any) has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Probe every node once (concurrent calls share one round). */
  probeAll(): Promise<void> {
    this.running ??= (this.opts.beforeRound?.() ?? Promise.resolve())
      .catch(() => undefined) // an unreachable database must not stop the probes
      .then(() => Promise.all(this.pool.all().map((n) => this.probe(n))))
      .then(
      () => void (this.running = undefined),
      () => void (this.running = undefined),
    );
    return this.running;
  }

  /** What is known of each node; probes first when nothing was ever probed. */
  async snapshot(): Promise<NodeHealth[]> {
    if (this.seen.size === 0) await this.probeAll();
    return this.pool.all().map((n) => {
      const s = this.seen.get(n.id);
      return {
        id: n.id,
        tier: this.pool.tierOf(n.id) ?? 'hot',
        state: this.pool.state(n.id) ?? 'down',
        lastSeenAt: s?.lastSeenAt ? new Date(s.lastSeenAt).toISOString() : null,
        latencyMs: s?.latencyMs ?? null,
        usedBytes: s?.usedBytes ?? null,
        capacityBytes: s?.capacityBytes ?? null,
      };
    });
  }

  private async probe(node: StorageNode): Promise<void> {
    const now = this.opts.now ?? Date.now;
    const prev = this.seen.get(node.id);
    try {
      const t0 = performance.now();
      await withTimeout(node.head(PROBE_KEY), this.opts.timeoutMs ?? 5_000);
      const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
      const usage = await capacityOf(node);
      this.seen.set(node.id, { ok: true, lastSeenAt: now(), latencyMs, ...usage });
      this.pool.reportSuccess(node.id);
      if (prev?.ok === false) log.info({ node: node.id }, `storage node ${node.id} is up again`);
    } catch (err) {
      this.seen.set(node.id, { lastSeenAt: null, latencyMs: null, usedBytes: null, capacityBytes: null, ...prev, ok: false });
      this.pool.reportFailure(node.id);
      if (prev?.ok !== false) {
        log.warn({ node: node.id, reason: errorKind(err) }, `storage node ${node.id} is down; its blocks are listed for repair`);
        await this.opts.onDown?.(node.id).catch(() => undefined);
      }
    }
  }
}

async function capacityOf(node: StorageNode): Promise<{ usedBytes: number | null; capacityBytes: number | null }> {
  if (!(node instanceof FsNode)) return { usedBytes: null, capacityBytes: null };
  const st = await statfs(node.dir);
  return { capacityBytes: st.blocks * st.bsize, usedBytes: (st.blocks - st.bfree) * st.bsize };
}

/** The error's kind only (ECONNREFUSED, a timeout): a driver's message may name an endpoint with its keys. */
function errorKind(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string') return code;
  return err instanceof Error && err.message.startsWith('no answer within') ? 'timeout' : err instanceof Error ? err.name : 'unknown';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
