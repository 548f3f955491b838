/** A node as the admin API shows it: the table's record joined with the monitor's health; never a credential. */
import type { NodeState, Tier } from '../../../storage-engine/src/index.js';
import type { NodeHealth } from '../health/monitor.js';
import type { NodeRow } from './store.js';

export interface NodeView {
  id: string;
  tier: Tier;
  kind: 'local' | 's3';
  /** Where it comes from: the configuration, the admin API (its URL sealed in the database), or the embedded default. */
  origin: 'config' | 'api' | 'embedded';
  /** Without credentials: http://host:port/bucket, or a directory below the data directory. */
  endpoint: string | null;
  state: NodeState | 'retired';
  lastSeenAt: string | null;
  usedBytes: number | null;
  capacityBytes: number | null;
  retiredAt: string | null;
}

/** Live nodes first (hot, then cold, by name), retired ones last. */
export function nodeViews(rows: readonly NodeRow[], health: readonly NodeHealth[]): NodeView[] {
  const byId = new Map(health.map((h) => [h.id, h]));
  const rank = (r: NodeRow) => (r.state === 'retired' ? 2 : r.tier === 'hot' ? 0 : 1);
  return [...rows]
    .sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((r) => {
      const h = byId.get(r.name);
      return {
        id: r.name,
        tier: r.tier,
        kind: r.kind,
        origin: r.origin,
        endpoint: r.endpoint,
        // A live node this instance has not opened (configured only on another instance) shows as down here.
        state: r.state === 'retired' ? 'retired' : (h?.state ?? 'down'),
        lastSeenAt: h?.lastSeenAt ?? null,
        usedBytes: h?.usedBytes ?? null,
        capacityBytes: h?.capacityBytes ?? null,
        retiredAt: r.retiredAt?.toISOString() ?? null,
      };
    });
}
