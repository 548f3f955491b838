/** How a block's frame is spread over nodes. */
export type Layout =
  /** Reed-Solomon: k data shards + m parity shards; any k rebuild the frame. */
  | { kind: 'rs'; k: number; m: number }
  /** Whole copies of the frame; used for small blocks (same loss tolerance, fewer objects). */
  | { kind: 'replica'; copies: number };

export type Tier = 'hot' | 'cold';

/** Number of shard objects a layout writes. */
export function shardCount(layout: Layout): number {
  return layout.kind === 'rs' ? layout.k + layout.m : layout.copies;
}

/** Number of intact shards needed to read the block back. */
export function shardsNeeded(layout: Layout): number {
  return layout.kind === 'rs' ? layout.k : 1;
}
