import { createHash } from 'node:crypto';

/**
 * Rendezvous (highest-random-weight) hashing: every node gets a score for a block key and the
 * block's shards go to the highest scores. Adding or removing a node moves only the shards that
 * node wins or held, and every server computes the same order without coordination.
 */
export function rankNodes<T extends { id: string }>(nodes: readonly T[], blockKey: string): T[] {
  const scored = nodes.map((node) => ({ node, score: score(node.id, blockKey) }));
  scored.sort((a, b) => (a.score < b.score ? 1 : a.score > b.score ? -1 : a.node.id < b.node.id ? -1 : 1));
  return scored.map((s) => s.node);
}

function score(nodeId: string, blockKey: string): bigint {
  return createHash('sha256').update(nodeId).update('\0').update(blockKey).digest().readBigUInt64BE(0);
}

/**
 * Assign shard indexes to nodes: the i-th shard to the i-th ranked node. When there are fewer
 * nodes than shards, nodes are reused round-robin — a block written while nodes are down still
 * gets all its shards (it then survives the loss of fewer nodes and is reported for repair).
 */
export function assignShards<T>(ranked: readonly T[], shardCount: number): T[] {
  if (ranked.length === 0) return [];
  return Array.from({ length: shardCount }, (_, i) => ranked[i % ranked.length] as T);
}
