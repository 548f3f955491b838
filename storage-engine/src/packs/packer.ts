import { randomBytes } from 'node:crypto';
import type { StorageNode } from '../nodes/node.js';
import { encodeEntry, type PackRef } from './pack-format.js';

export interface PackOptions {
  /** Shard objects of at most this many bytes are packed (default 64 KiB; see the README). */
  maxShardBytes: number;
  /** A pack is written once it holds this many bytes, even while others are in flight (default 8 MiB). */
  maxPackBytes: number;
  /** Pack writes in flight per node (default 2); puts arriving meanwhile wait for the next pack. */
  maxInFlight: number;
}

export const DEFAULT_PACK_OPTIONS: PackOptions = { maxShardBytes: 64 * 1024, maxPackBytes: 8 * 1024 * 1024, maxInFlight: 2 };

/** Pack object names: under their own prefix, which no shard name (`<2 hex>/…`) can start with. */
export const PACK_PREFIX = 'packs/';

/**
 * `packs/<ms since 1970, 12 hex>-<random>.pack`: the time lets compaction leave young packs
 * alone, whose entries may still be on their way into metadata (nodes report no object times).
 */
export function newPackName(now = Date.now()): string {
  return `${PACK_PREFIX}${now.toString(16).padStart(12, '0')}-${randomBytes(8).toString('hex')}.pack`;
}

/** When a pack was written (ms), from its name; undefined for a name that is not a pack's. */
export function packWrittenAt(name: string): number | undefined {
  const m = /^packs\/([0-9a-f]{12})-[0-9a-f]+\.pack$/.exec(name);
  return m ? parseInt(m[1]!, 16) : undefined;
}

interface Pending {
  bytes: Buffer;
  shardAt: number;
  length: number;
  resolve: (ref: PackRef) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of small shard objects, per node: puts that arrive while the node is busy (or in
 * the same turn of the event loop) are written together as one new pack object — one durable
 * write (FsNode: one temp file, fsync, rename) or one S3 PUT for all of them — and each put
 * resolves only when that pack is stored. Packs are written once and never appended to, so a
 * crash leaves a whole pack or none (S3 objects are immutable anyway).
 */
export class Packer {
  readonly opts: PackOptions;
  private readonly queues = new Map<string, NodeQueue>();

  constructor(opts: Partial<PackOptions> = {}) {
    this.opts = { ...DEFAULT_PACK_OPTIONS, ...opts };
  }

  /** Whether a shard object of this size goes into a pack. */
  accepts(bytes: number): boolean {
    return bytes <= this.opts.maxShardBytes;
  }

  /** Store a shard object in the node's next pack; resolves once that pack is durable. Copies `parts`. */
  put(node: StorageNode, name: string, parts: readonly Uint8Array[]): Promise<PackRef> {
    let queue = this.queues.get(node.id);
    if (!queue || queue.node !== node) {
      queue = new NodeQueue(node, this.opts);
      this.queues.set(node.id, queue);
    }
    return queue.add(name, parts);
  }
}

class NodeQueue {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private inFlight = 0;
  private scheduled = false;

  constructor(
    readonly node: StorageNode,
    private readonly opts: PackOptions,
  ) {}

  add(name: string, parts: readonly Uint8Array[]): Promise<PackRef> {
    const entry = encodeEntry(name, parts);
    return new Promise<PackRef>((resolve, reject) => {
      this.pending.push({ ...entry, resolve, reject });
      this.pendingBytes += entry.bytes.length;
      if (this.pendingBytes >= this.opts.maxPackBytes) this.flush();
      else this.schedule();
    });
  }

  /** Let the rest of this turn's puts join, then write if a slot is free (else the finishing write flushes). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight < this.opts.maxInFlight) this.flush();
    });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight++;
    const object = newPackName();
    // One buffer: FsNode's writev takes few parts, and S3 would join them anyway.
    const bytes = Buffer.concat(batch.map((p) => p.bytes));
    void this.node.put(object, bytes, { ranged: true }).then(
      () => {
        let at = 0;
        for (const p of batch) {
          p.resolve({ object, offset: at + p.shardAt, length: p.length });
          at += p.bytes.length;
        }
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    ).finally(() => {
      this.inFlight--;
      if (this.pending.length > 0) this.schedule();
    });
  }
}
