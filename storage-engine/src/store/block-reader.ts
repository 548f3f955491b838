import { decodeShards } from '../erasure/erasure.js';
import { IntegrityError, NodeDownError, UnrecoverableError } from '../errors.js';
import { shardsNeeded } from '../erasure/layout.js';
import type { BlockRecord, ShardLocation } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import { readShard } from '../shards/shard-format.js';
import { BufferPool, SPARE_IDLE_MS } from '../memory/buffer-pool.js';
import { getShardObject } from '../packs/shard-io.js';

export interface FrameRead {
  frame: Buffer;
  /** Shards found missing or corrupt: the block needs repair. */
  damaged: number[];
  /** Shards on nodes that did not answer: not known lost, but the block is at risk. */
  unavailable: number[];
}

export interface ReadOptions {
  /** Ask one more node when the first answers are this slow (ms). */
  hedgeDelayMs: number;
  /** The frame goes into pooled memory (frames of all data shards; BlockStore.get with the inline sealer): its caller may give it back (recycleBlock). */
  pooledFrame?: boolean;
}

/**
 * Fetch any k intact shards of a block in parallel and decode its frame. Data shards are asked
 * first (decoding is then a copy), suspect nodes last; a shard that fails its checksum or is
 * missing is replaced by another at once, and a slow node is hedged after a short delay.
 */
export async function readFrame(pool: NodePool, record: BlockRecord, opts: ReadOptions): Promise<FrameRead> {
  const need = shardsNeeded(record.layout);
  const candidates = orderCandidates(pool, record);
  const good = new Map<number, Buffer>();
  const damaged: number[] = [];
  const unavailable: number[] = [];
  let next = 0;
  let inFlight = 0;

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let hedgeTimer: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(hedgeTimer);
      if (err) reject(err);
      else resolve();
    };
    const armHedge = () => {
      clearTimeout(hedgeTimer);
      hedgeTimer = setTimeout(() => {
        if (settled) return;
        launch();
        armHedge();
      }, opts.hedgeDelayMs);
      hedgeTimer.unref?.();
    };
    const checkDone = () => {
      if (good.size >= need) finish();
      else if (inFlight === 0 && next >= candidates.length) {
        finish(
          new UnrecoverableError(
            `block ${record.key.slice(0, 12)}…: ${good.size} of ${need} needed shards readable (damaged ${damaged.join(',') || '-'}, unavailable ${unavailable.join(',') || '-'})`,
          ),
        );
      }
    };
    const launch = () => {
      const loc = candidates[next++];
      if (!loc) return;
      inFlight++;
      fetchShard(pool, record, loc, true).then(
        (bytes) => {
          inFlight--;
          if (settled) return;
          good.set(loc.index, bytes);
          checkDone();
        },
        (err: unknown) => {
          inFlight--;
          (err instanceof NodeDownError ? unavailable : damaged).push(loc.index);
          if (!settled) launch();
          checkDone();
        },
      );
    };
    for (let i = 0; i < need; i++) launch();
    armHedge();
    checkDone();
  });

  const frame = await decodeShards(good, record.layout, record.frameSize, opts.pooledFrame ? takeFrameMemory : undefined);
  // The frame holds copies: the shards the nodes handed over are ours and done with.
  for (const bytes of good.values()) shardMemory.give(bytes);
  return { frame, damaged, unavailable };
}

/**
 * Where readFrame's shards are read (local-directory nodes), given back once decoded: a big
 * file's download read every shard into fresh memory, each page of it a fault (on this VM ~3.5 ms
 * of CPU per MiB). Spares freed when idle. Eight kept, not 32 (and eight frames below, not 24):
 * bench:tree's restore peaked 25-30 MiB lower (embedded 326, 327 against 359, 350 MiB) and no
 * slower, nor did bench:api's 1 GiB download (275, 285 against 261, 262 MB/s; server CPU 3.3-3.4
 * against 3.6 s) or bench:sync-client's new 100 MiB file (p50 1,468 against 1,524 ms), 2026-12-07.
 */
const shardMemory = new BufferPool({ maxBuffers: 8, maxBufferBytes: 4 * 1024 * 1024, grain: 64 * 1024, idleMs: SPARE_IDLE_MS });
const takeShardMemory = (bytes: number) => shardMemory.take(bytes);

/** Frames of blocks read for a download (a fetch pack gives them back once sent): as for the shards. Below malloc's mmap threshold the heap is warm anyway. */
const frameMemory = new BufferPool({ maxBuffers: 8, maxBufferBytes: 8 * 1024 * 1024, grain: 64 * 1024, idleMs: SPARE_IDLE_MS });
/** Read memory for a frame, or for a compressed block's plaintext (BlockStore.get): recycleBlock gives it back. */
export const takeFrameMemory = (bytes: number) => (bytes < 128 * 1024 ? Buffer.allocUnsafe(bytes) : frameMemory.take(bytes));

/**
 * Done with a block from BlockStore.get (and every view of it: nothing reads it any more): its
 * memory serves the next read. False when it is not read memory of the engine's: then the caller
 * frees it as it would have (releaseMemory).
 */
export function recycleBlock(bytes: Uint8Array): boolean {
  return frameMemory.give(bytes);
}

/** Read one shard and verify it against its header and against what metadata recorded. */
export async function fetchShard(pool: NodePool, record: BlockRecord, loc: ShardLocation, pooled = false): Promise<Buffer> {
  const node = pool.get(loc.nodeId);
  if (!node) throw new NodeDownError(loc.nodeId, 'not in the node pool');
  let bytes: Buffer;
  try {
    bytes = await getShardObject(node, record, loc, pooled ? takeShardMemory : undefined);
    pool.reportSuccess(node.id);
  } catch (err) {
    if (err instanceof NodeDownError) pool.reportFailure(node.id);
    throw err;
  }
  const { header } = readShard(bytes);
  if (header.index !== loc.index || header.checksum !== loc.checksum || header.frameSize !== record.frameSize) {
    throw new IntegrityError(`shard ${loc.index} of block ${record.key.slice(0, 12)}… does not match its metadata`);
  }
  return bytes;
}

function orderCandidates(pool: NodePool, record: BlockRecord): ShardLocation[] {
  const k = record.layout.kind === 'rs' ? record.layout.k : 1;
  const rank = (s: ShardLocation) => (pool.isSuspect(s.nodeId) ? 2 : 0) + (s.index < k ? 0 : 1);
  return [...record.shards].sort((a, b) => rank(a) - rank(b) || a.index - b.index);
}
