import type { BlockIds } from '../keys/block-id.js';
import { openFrame, readFrameHeader } from '../codec/codec.js';
import type { ErasureOptions } from '../erasure/erasure.js';
import { AccessTracker } from './access-tracker.js';
import { drainNode, type DrainOptions, type DrainResult } from '../ops/drain.js';
import { InvalidArgumentError, NotFoundError, UnrecoverableError } from '../errors.js';
import { KeyLocks } from './key-locks.js';
import type { KeyProvider } from '../keys/keys.js';
import { shardsNeeded, shardCount, type Layout, type Tier } from '../erasure/layout.js';
import type { BlockMetadataPort, BlockRecord } from '../metadata/metadata-port.js';
import type { NodePool } from '../nodes/node-pool.js';
import { readFrame, recycleBlock, takeFrameMemory, type FrameRead } from './block-reader.js';
import { repairBlock, type RepairResult } from '../ops/block-repair.js';
import { writeShards } from './block-writer.js';
import { InlineSealer, type SealedChunk, type Sealer } from '../seal/sealer.js';
import { Packer, type PackOptions } from '../packs/packer.js';
import { deleteShardObject } from '../packs/shard-io.js';
import { rebalanceOnto, type RebalanceOptions, type RebalanceProgress } from '../ops/rebalance.js';
import { StageTimer } from '../stage-timer.js';
import type { EngineEvents, WriteQuorum } from '../events.js';
import { moveColdBlocks, moveToTier, type TierMove, type TieringOptions, type TieringProgress } from '../ops/tiering.js';
import { verifyBlock, type VerifyResult } from '../ops/verify.js';
import { compactPacks, type CompactOptions, type CompactResult } from '../ops/pack-compact.js';

export interface BlockStoreOptions {
  pool: NodePool;
  metadata: BlockMetadataPort;
  keys: KeyProvider;
  ids: BlockIds;
  /** Reed-Solomon k+m and the replica threshold; by default 4+2 with six or more nodes, else 2+1. */
  erasure?: Partial<ErasureOptions>;
  /** Shards beyond k a write must store before it is acknowledged (default 1: quorum k+1). */
  quorumExtra?: number;
  hedgeDelayMs?: number;
  /** Where hashing and encryption run; inline by default, worker threads for throughput. */
  sealer?: Sealer;
  /** Told about blocks found degraded on read or write, so the server can queue repair. */
  onDegraded?: (key: string, reason: string) => void;
  timer?: StageTimer;
  /** Told about stage timings and each put (the server's metrics); the engine logs nothing itself. */
  events?: EngineEvents;
  /** The clock for last-access times (tests advance it). */
  now?: () => number;
  /** How often reads' last-access times are written to metadata, batched (default 60 s). */
  accessFlushMs?: number;
  /** Small shard objects go into per-node packs with group commit (packs/); false stores each as an object of its own. */
  packs?: Partial<PackOptions> | false;
}

export interface PutResult {
  key: string;
  /** Hex SHA-256 of the plaintext. */
  hash: string;
  size: number;
  /** False when the namespace already had this block (dedup): nothing was written. */
  stored: boolean;
}

/** A block whose shards are written and whose metadata row is not inserted yet (BlockStore.writeSealed). */
interface Unrecorded {
  record: BlockRecord;
  degraded: boolean;
  told: (stored: boolean) => PutResult;
}

export interface PutOptions {
  /** False for known-compressed types (skips the attempt). */
  compress?: boolean;
  tier?: Tier;
  /** The chunk's SHA-256, when the caller verified it already: sealing does not hash it again. A wrong one would file the bytes under another block's key. */
  sha256?: Uint8Array;
}

/**
 * Blocks by their stored key: the engine's main face. put seals a chunk and spreads it over
 * nodes (or finds it already there); get reads any k shards back and checks the plaintext
 * against its SHA-256; repair re-creates what is missing.
 */
export class BlockStore {
  readonly pool: NodePool;
  readonly metadata: BlockMetadataPort;
  readonly timer: StageTimer;
  private readonly keys: KeyProvider;
  private readonly ids: BlockIds;
  private readonly sealer: Sealer;
  /** The code's base options; k and m are chosen per write unless the caller fixed them (erasureNow). */
  private readonly erasure: ErasureOptions;
  private readonly fixedWidth: boolean;
  private readonly quorumExtra: number;
  private readonly hedgeDelayMs: number;
  private readonly onDegraded: (key: string, reason: string) => void;
  private readonly locks = new KeyLocks();
  private readonly access: AccessTracker;
  private readonly events: EngineEvents;
  /** Undefined when packing is off. */
  readonly packer: Packer | undefined;

  constructor(opts: BlockStoreOptions) {
    this.pool = opts.pool;
    this.metadata = opts.metadata;
    this.keys = opts.keys;
    this.ids = opts.ids;
    this.sealer = opts.sealer ?? new InlineSealer(opts.ids);
    this.fixedWidth = opts.erasure?.k !== undefined || opts.erasure?.m !== undefined;
    this.erasure = { k: 2, m: 1, replicaThreshold: 128 * 1024, ...opts.erasure };
    this.quorumExtra = opts.quorumExtra ?? 1;
    this.hedgeDelayMs = opts.hedgeDelayMs ?? 100;
    this.onDegraded = opts.onDegraded ?? (() => {});
    this.timer = opts.timer ?? new StageTimer();
    this.events = opts.events ?? {};
    const stage = this.events.stage;
    if (stage) this.timer.listen((name, ns) => stage(name, ns));
    this.packer = opts.packs === false ? undefined : new Packer(opts.packs);
    this.access = new AccessTracker(opts.metadata, { now: opts.now, flushMs: opts.accessFlushMs });
  }

  /** The stored key a chunk with this SHA-256 has in a namespace. */
  keyFor(namespace: string, hash: Buffer | string): string {
    return this.ids.storedKey(namespace, typeof hash === 'string' ? Buffer.from(hash, 'hex') : hash);
  }

  async has(namespace: string, hash: Buffer | string): Promise<boolean> {
    return (await this.metadata.getBlock(this.keyFor(namespace, hash))) !== undefined;
  }

  async put(namespace: string, chunk: Uint8Array, opts: PutOptions = {}): Promise<PutResult> {
    const sealed = await this.seal(namespace, chunk, opts);
    return this.store(namespace, sealed, opts);
  }

  /** First half of put: hash, encrypt and erasure-code (possibly on a worker thread). */
  async seal(namespace: string, chunk: Uint8Array, opts: PutOptions = {}): Promise<SealedChunk> {
    if (chunk.byteLength === 0) throw new InvalidArgumentError('a block cannot be empty');
    const dataKey = await this.keys.currentKey(namespace);
    const sealed = await this.sealer.seal({
      namespace,
      chunk,
      dataKey,
      compress: opts.compress ?? true,
      erasure: this.erasureNow(),
      ...(opts.sha256 ? { sha256: opts.sha256 } : {}),
    });
    if (sealed.timings) {
      this.timer.add('sha256', sealed.timings.hash);
      this.timer.add('compress+encrypt', sealed.timings.codec);
      this.timer.add('erasure', sealed.timings.erasure);
    }
    return sealed;
  }

  /** Second half of put: unless the namespace has the block already, erasure-code and store it. */
  async store(namespace: string, sealed: SealedChunk, opts: PutOptions = {}): Promise<PutResult> {
    const w = await this.writeReleased(namespace, sealed, opts);
    return 'stored' in w ? w : this.recorded(w, await this.metadata.insertBlock(w.record));
  }

  /**
   * Many blocks, each sealed and written as `put` does, their rows then asked for in one turn: a coalescing
   * metadata port (the server's) makes that one statement, not one a big block (~1.3 ms of PGlite's CPU each).
   * One that fails leaves the others stored and recorded; the first failure is thrown then.
   */
  async putMany(namespace: string, items: readonly { chunk: Uint8Array; sha256?: Uint8Array }[], opts: Omit<PutOptions, 'sha256'> = {}): Promise<PutResult[]> {
    const written = await Promise.allSettled(
      items.map(async (it) => this.writeReleased(namespace, await this.seal(namespace, it.chunk, { ...opts, ...(it.sha256 ? { sha256: it.sha256 } : {}) }), opts)),
    );
    const results = await Promise.allSettled(
      written.map(async (w) => {
        if (w.status === 'rejected') throw w.reason;
        const v = w.value;
        return 'stored' in v ? v : this.recorded(v, await this.metadata.insertBlock(v.record));
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<PutResult>).value);
  }

  /** writeSealed, then the sealed chunk's memory reused (every put of its shards has settled: nodes copy what they keep). */
  private async writeReleased(namespace: string, sealed: SealedChunk, opts: PutOptions): Promise<PutResult | Unrecorded> {
    try {
      return await this.writeSealed(namespace, sealed, opts);
    } finally {
      sealed.release?.();
    }
  }

  /** The block's shards written, its row not yet inserted; or, when the namespace has it already, the answer. */
  private async writeSealed(namespace: string, sealed: SealedChunk, opts: PutOptions): Promise<PutResult | Unrecorded> {
    const shardBytes = sealed.shards.reduce((sum, o) => sum + o.parts.reduce((n, p) => n + p.byteLength, 0), 0);
    const hash = sealed.hash.toString('hex');
    const told = (stored: boolean): PutResult => {
      this.events.put?.({ size: sealed.size, frameSize: sealed.frameSize, shardBytes, stored });
      return { key: sealed.key, hash, size: sealed.size, stored };
    };
    if (await this.metadata.getBlock(sealed.key)) return told(false);
    const { layout } = sealed;
    const tier = opts.tier ?? 'hot';
    const written = await writeShards(this.pool, sealed.key, sealed.shards, layout, tier, this.quorum(layout), this.packer);
    this.timer.add('store', written.timings.store);
    const record: BlockRecord = {
      key: sealed.key,
      namespace,
      hash,
      size: sealed.size,
      frameSize: sealed.frameSize,
      generation: written.generation,
      layout,
      tier,
      shards: written.shards,
    };
    return { record, degraded: written.degraded, told };
  }

  /** After the row's insert: `existing`, another writer's row for the same block, wins and ours goes. */
  private async recorded(w: Unrecorded, existing: BlockRecord | undefined): Promise<PutResult> {
    if (existing) {
      await this.deleteShards(w.record);
      return w.told(false);
    }
    if (w.degraded) this.onDegraded(w.record.key, 'written degraded');
    return w.told(true);
  }

  /** The records of many blocks in one metadata call, for reads of many small blocks (`get(key, record)`). */
  records(keys: readonly string[]): Promise<Map<string, BlockRecord>> {
    return this.metadata.getBlocks(keys);
  }

  /**
   * The plaintext of a block, verified end to end as `unsealFrame` says (the GCM tag, zstd's
   * checksum, or for older compressed frames SHA-256 — unless `receiverChecksHash`: a sync client's
   * fetch pack, whose receiver checks every block); why that suffices: storage-engine/README.md, Formats.
   * `known`: its record, looked up already (`records`); a stale one is looked up again.
   */
  async get(key: string, known?: BlockRecord, opts: { receiverChecksHash?: boolean } = {}): Promise<Buffer> {
    // Inline, the plaintext is decrypted in place: a frame in pooled memory is what the caller
    // may give back (recycleBlock). A worker would be sent a copy of it, so it gets fresh memory.
    const inline = this.sealer instanceof InlineSealer;
    const { read, record, t1 } = await this.readBlockFrame(key, known, inline);
    const header = readFrameHeader(read.frame);
    const dataKey = await this.keys.keyById(record.namespace, header.keyId);
    // A compressed block's plaintext goes into read memory too, which the caller may give back alike.
    const plain = await this.sealer.unseal({ frame: read.frame, dataKey, key, ...(opts.receiverChecksHash ? {} : { hash: record.hash }), ...(inline ? { into: takeFrameMemory } : {}) });
    if (plain.buffer !== read.frame.buffer) recycleBlock(read.frame); // decompressed elsewhere: the frame is done with
    this.timer.add('decrypt+decompress+verify', Number(process.hrtime.bigint() - t1));
    return plain;
  }

  /**
   * A block as stored, for a download that goes zstd-compressed: a compressed frame's zstd payload,
   * only decrypted and authenticated (no decompressing here and compressing again for the wire;
   * the receiver checks the plaintext's hash), or the verified plaintext of one stored raw.
   */
  async getStored(key: string, known?: BlockRecord): Promise<{ plainSize: number; zstd: Buffer } | { plainSize: number; plain: Buffer }> {
    const { read, record, t1 } = await this.readBlockFrame(key, known);
    const header = readFrameHeader(read.frame);
    const dataKey = await this.keys.keyById(record.namespace, header.keyId);
    if (!header.compressed) return { plainSize: header.plainSize, plain: await this.sealer.unseal({ frame: read.frame, dataKey, key }) };
    const opened = openFrame(read.frame, dataKey, Buffer.from(key, 'latin1'), { inPlace: true });
    this.timer.add('decrypt', Number(process.hrtime.bigint() - t1));
    return { plainSize: opened.plainSize, zstd: opened.payload };
  }

  /** The block's frame from any k of its shards, reporting damage (get and getStored). */
  private async readBlockFrame(key: string, known?: BlockRecord, pooledFrame = false): Promise<{ read: FrameRead; record: BlockRecord; t1: bigint }> {
    let record = known ?? (await this.metadata.getBlock(key));
    if (!record) throw new NotFoundError('metadata', key);
    const t0 = process.hrtime.bigint();
    let read;
    try {
      read = await readFrame(this.pool, record, { hedgeDelayMs: this.hedgeDelayMs, pooledFrame });
    } catch (err) {
      // A drain or tier move may have deleted the shards this record named: read where they went.
      const moved = err instanceof UnrecoverableError ? await this.movedSince(record) : undefined;
      if (!moved) throw err;
      record = moved;
      read = await readFrame(this.pool, record, { hedgeDelayMs: this.hedgeDelayMs, pooledFrame });
    }
    const t1 = process.hrtime.bigint();
    this.access.touch(key);
    // A shard missing because it was just moved is not damage: report only if it is still there.
    const bad = read.damaged.length > 0 || read.unavailable.length > 0;
    if (bad && !(await this.movedSince(record))) {
      if (read.damaged.length > 0) this.onDegraded(key, `damaged shards ${read.damaged.join(',')}`);
      else this.onDegraded(key, `unavailable shards ${read.unavailable.join(',')}`);
    }
    this.timer.add('fetch+decode shards', Number(t1 - t0));
    return { read, record, t1 };
  }

  /** Remove a block's shards and then its record (a crash in between leaves a record GC retries). */
  async delete(key: string): Promise<void> {
    await this.locks.run(key, async () => {
      const record = await this.metadata.getBlock(key);
      if (!record) return;
      await this.deleteShards(record);
      await this.metadata.deleteBlock(key);
    });
  }

  /** Re-create missing or corrupt shards (deep: read and verify every shard, as scrub does). */
  async repair(key: string, opts: { deep?: boolean } = {}): Promise<RepairResult> {
    return this.locks.run(key, () => repairBlock(this.pool, this.metadata, key, { deep: opts.deep ?? false }));
  }

  /** Scrub one block: read and check every shard; with `repair`, rebuild what is bad (verify.ts). */
  async verify(key: string, opts: { repair: boolean } = { repair: false }): Promise<VerifyResult> {
    return this.locks.run(key, () => verifyBlock(this.pool, this.metadata, key, opts));
  }

  /** Move every shard off a node (set 'draining' first) so it can be retired (drain.ts). */
  async drainNode(nodeId: string, opts: DrainOptions = {}): Promise<DrainResult> {
    return drainNode(this.ops(), nodeId, opts);
  }

  /** Move to a newly added node the shards rendezvous placement now gives it (rebalance.ts). */
  async rebalance(nodeId: string, opts: RebalanceOptions = {}): Promise<RebalanceProgress> {
    return rebalanceOnto(this.ops(), nodeId, opts);
  }

  /** Re-place a block on another tier's nodes; reads stay transparent (tiering.ts). */
  async moveToTier(key: string, tier: Tier): Promise<TierMove> {
    return moveToTier(this.ops(), key, tier);
  }

  /** The tiering job: hot blocks not read since `before` go cold, least recently read first. */
  async moveColdBlocks(before: Date, opts: TieringOptions = {}): Promise<TieringProgress> {
    return moveColdBlocks(this.ops(), before, opts);
  }

  /**
   * GC of one node's packs (pack-compact.ts): delete packs with no live entry, rewrite those whose
   * live share fell low. Nothing to do with packing off.
   */
  async compactPacks(nodeId: string, opts: CompactOptions = {}): Promise<CompactResult> {
    if (!this.packer) return { scanned: 0, deleted: 0, movedEntries: 0, bytesFreed: 0 };
    return compactPacks({ pool: this.pool, metadata: this.metadata, locks: this.locks, packer: this.packer }, nodeId, opts);
  }

  /** Write pending last-access times now (they are otherwise batched). */
  async flushAccess(): Promise<void> {
    await this.access.flush();
  }

  /** Whether a record lacks shards or has two on one node. */
  static isDegraded(record: BlockRecord): boolean {
    const distinct = new Set(record.shards.map((s) => s.nodeId)).size;
    return record.shards.length < shardCount(record.layout) || distinct < record.shards.length;
  }

  async close(): Promise<void> {
    await this.access.flush();
    await this.sealer.close();
  }

  /** The block's record if its shards are no longer where `seen` says (moved or re-encoded). */
  private async movedSince(seen: BlockRecord): Promise<BlockRecord | undefined> {
    const now = await this.metadata.getBlock(seen.key);
    if (!now) return undefined;
    const where = (r: BlockRecord) => `${r.generation}:${r.shards.map((s) => `${s.index}@${s.nodeId}${s.pack ? `/${s.pack.object}+${s.pack.offset}` : ''}`).join(',')}`;
    return where(now) === where(seen) ? undefined : now;
  }

  /**
   * What a write of a large block needs now on the hot tier: its code and the shards the quorum
   * stores. Each on a node of its own, that many reachable hot nodes let a write succeed without
   * doubling shards up (the server's readiness check asks this).
   */
  writeQuorum(): WriteQuorum {
    const { k, m } = this.erasureNow();
    return { k, m, shards: this.quorum({ kind: 'rs', k, m }) };
  }

  /**
   * The code new blocks get: as the caller fixed it, else 4+2 while six or more hot nodes take
   * shards and 2+1 below — counted at each write (draining nodes aside: they are leaving), as
   * nodes are added and retired at run time.
   */
  private erasureNow(): ErasureOptions {
    if (this.fixedWidth) return this.erasure;
    const staying = this.pool.all('hot').filter((n) => this.pool.state(n.id) !== 'draining').length;
    return staying >= 6 ? { ...this.erasure, k: 4, m: 2 } : { ...this.erasure, k: 2, m: 1 };
  }

  /** What the operation modules need (drain, rebalance, tiering). */
  private ops() {
    const { pool, metadata, locks, quorumExtra, hedgeDelayMs, onDegraded, packer } = this;
    return { pool, metadata, locks, erasure: this.erasureNow(), quorumExtra, hedgeDelayMs, onDegraded, packer };
  }

  private quorum(layout: Layout): number {
    return Math.min(shardsNeeded(layout) + this.quorumExtra, shardCount(layout));
  }

  private async deleteShards(record: BlockRecord): Promise<void> {
    await Promise.allSettled(
      record.shards.map((s) => deleteShardObject(this.pool.get(s.nodeId), record, s)),
    );
  }
}
