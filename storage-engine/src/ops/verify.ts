import { fetchShard } from '../store/block-reader.js';
import { repairBlock, type ShardStatus } from './block-repair.js';
import { NodeDownError, NotFoundError } from '../errors.js';
import { shardCount } from '../erasure/layout.js';
import type { BlockMetadataPort } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';

export interface VerifyResult {
  /** Every shard is where metadata says, intact, on a node of its own. */
  ok: boolean;
  /** Shards present but failing a check (bitrot, wrong header, truncated). */
  damaged: number[];
  /** Shards with no location in metadata, or whose object the node does not have. */
  missing: number[];
  /** Shards on nodes that did not answer: not known lost, but not verified either. */
  unavailable: number[];
  /** Shards rewritten by the repair (when asked for). */
  repaired: number[];
  /** Shards still not intact on a distinct node after the repair (no healthy node was free). */
  remaining: number[];
}

/**
 * Scrub one block: read every shard and check it against its header CRCs and its metadata,
 * report what is damaged, missing or unreachable, and with `repair` rebuild those from k intact
 * shards (reusing the bytes just read) and spread doubled-up shards apart.
 */
export async function verifyBlock(pool: NodePool, metadata: BlockMetadataPort, key: string, opts: { repair: boolean }): Promise<VerifyResult> {
  const record = await metadata.getBlock(key);
  if (!record) throw new NotFoundError('metadata', key);
  const damaged: number[] = [];
  const missing: number[] = [];
  const unavailable: number[] = [];
  const statuses = await Promise.all(
    Array.from({ length: shardCount(record.layout) }, async (_, index): Promise<ShardStatus> => {
      const loc = record.shards.find((s) => s.index === index);
      if (!loc) return missing.push(index), 'missing';
      try {
        return { loc, bytes: await fetchShard(pool, record, loc) };
      } catch (err) {
        if (err instanceof NodeDownError) return unavailable.push(index), 'unavailable';
        (err instanceof NotFoundError ? missing : damaged).push(index);
        return 'missing';
      }
    }),
  );
  for (const list of [damaged, missing, unavailable]) list.sort((a, b) => a - b);
  const doubled = new Set(record.shards.map((s) => s.nodeId)).size < record.shards.length;
  const ok = damaged.length + missing.length + unavailable.length === 0 && !doubled;
  if (ok || !opts.repair) {
    return { ok, damaged, missing, unavailable, repaired: [], remaining: opts.repair ? [] : [...damaged, ...missing, ...unavailable].sort((a, b) => a - b) };
  }
  const fixed = await repairBlock(pool, metadata, key, { deep: true, inspected: { record, statuses } });
  return { ok, damaged, missing, unavailable, repaired: fixed.rebuilt, remaining: fixed.remaining };
}
