/** A node as the admin API shows it: the table's record joined with the monitor's health; never a credential. */
import type { NodeView } from '@coffer/protocol';
import type { NodeHealth } from '../health/monitor.js';
import type { NodeRow } from './store.js';

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

/** One node's view by name (it must exist: just added, or just retired). */
export async function nodeViewOf(registry: { rows(): Promise<readonly NodeRow[]> }, monitor: { snapshot(): Promise<readonly NodeHealth[]> }, name: string): Promise<NodeView> {
  return nodeViews((await registry.rows()).filter((r) => r.name === name), await monitor.snapshot())[0]!;
}
