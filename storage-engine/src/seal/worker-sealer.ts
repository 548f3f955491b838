import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { arenaSpan, blockArena, giveBlockMemory, takeBlockMemory } from '../memory/block-memory.js';
import { FRAME_OVERHEAD } from '../codec/codec.js';
import { memoryBound } from '../shards/shard-encode.js';
import { sealWorkerEntry } from './seal-worker-entry.js';
import { EngineError, FormatError, IntegrityError, KeyError } from '../errors.js';
import type { Layout } from '../erasure/layout.js';
import type { SealRequest, SealedChunk, Sealer, UnsealRequest } from './sealer.js';

interface Reply {
  id: number;
  error?: string;
  errorName?: string;
  hash?: Uint8Array;
  key?: string;
  plain?: Uint8Array;
  size?: number;
  frameSize?: number;
  layout?: Layout;
  /** Shard objects' parts: spans of the arena, or views of a buffer moved here. */
  shards?: { parts: ([number, number] | Uint8Array)[]; checksum: number }[];
  timings?: { hash: number; codec: number; erasure: number };
}

interface Slot {
  worker: Worker;
  busy: number;
}

/**
 * A small young generation: a sealer allocates little besides one large cipher output per block,
 * whose wrapper a small new space frees at the next scavenge instead of holding its MiB until a
 * full collection (measured: peak RSS of a 1 GiB ingest down ~50 MiB, no loss of speed).
 */
const YOUNG = { maxYoungGenerationSizeMb: 4 };

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** The view is its whole (unshared) ArrayBuffer: it can be moved to a worker rather than copied. */
const ownsBuffer = (u: Uint8Array) => u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer;

/** Keep the error's type across the thread boundary, so callers can still tell tampering apart. */
function rebuildError(reply: Reply): Error {
  const msg = reply.error ?? 'worker failed';
  if (reply.errorName === 'IntegrityError') return new IntegrityError(msg);
  if (reply.errorName === 'FormatError') return new FormatError(msg);
  if (reply.errorName === 'KeyError') return new KeyError(msg);
  return new EngineError('seal', msg);
}

/**
 * Seals and unseals on a pool of worker threads, so hashing, compression and encryption use every
 * core while the main thread chunks and does I/O. A chunk is moved to the worker when it owns its
 * memory (the caller must not use it after sealing), and frames and plaintexts are moved back.
 */
export class WorkerSealer implements Sealer {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  /** By default one thread fewer than cores: the main thread keeps a core for chunking and I/O. */
  constructor(secret: Buffer, threads = Math.max(1, availableParallelism() - 1)) {
    const url = sealWorkerEntry();
    for (let i = 0; i < Math.max(1, threads); i++) {
      const slot: Slot = { worker: new Worker(url, { workerData: { secret, arena: blockArena().buffer }, resourceLimits: YOUNG }), busy: 0 };
      slot.worker.on('message', (reply: Reply) => {
        if (--slot.busy === 0) slot.worker.unref();
        const p = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (!p) return;
        if (reply.error !== undefined) p.reject(rebuildError(reply));
        else p.resolve(reply);
      });
      slot.worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      // After the listeners: adding a 'message' listener refs the worker's port again, and an
      // idle thread must never keep the process alive.
      slot.worker.unref();
      this.slots.push(slot);
    }
  }

  async seal(req: SealRequest): Promise<SealedChunk> {
    const { chunk } = req;
    // The worker writes the shard objects into an arena piece given here (so the main thread can
    // hand them to FsNode's writers without a copy), sized for the largest frame this chunk makes.
    const objects = takeBlockMemory(memoryBound(chunk.byteLength, req.erasure, FRAME_OVERHEAD));
    const objectsAt = arenaSpan(objects);
    // A view of a larger buffer (a pack's entry) is cloned whole by postMessage — the whole pack,
    // 16 MiB, for each of its blocks: such a chunk travels as a copy in block memory instead.
    const staged = arenaSpan(chunk) || ownsBuffer(chunk) ? undefined : takeBlockMemory(chunk.byteLength);
    staged?.set(chunk);
    const payload = staged ?? chunk;
    const chunkAt = arenaSpan(payload);
    const msg = {
      op: 'seal',
      namespace: req.namespace,
      ...(chunkAt ? { chunkAt } : { chunk: payload }),
      ...(objectsAt ? { objectsAt } : {}),
      keyId: req.dataKey.id,
      key: req.dataKey.key,
      compress: req.compress,
      erasure: req.erasure,
      ...(req.sha256 ? { sha256: req.sha256 } : {}),
    };
    let reply: Reply;
    try {
      reply = await this.send(msg, chunkAt ? undefined : payload);
    } catch (err) {
      giveBlockMemory(objects);
      throw err;
    } finally {
      if (staged) giveBlockMemory(staged);
    }
    const arena = blockArena().bytes;
    const shards = reply.shards!.map((s) => ({
      parts: s.parts.map((p) => (p instanceof Uint8Array ? asBuffer(p) : arena.subarray(p[0], p[0] + p[1]))),
      checksum: s.checksum,
    }));
    return {
      hash: asBuffer(reply.hash!),
      key: reply.key!,
      size: reply.size!,
      frameSize: reply.frameSize!,
      layout: reply.layout!,
      shards,
      timings: reply.timings,
      release: () => giveBlockMemory(objects),
    };
  }

  async unseal(req: UnsealRequest): Promise<Buffer> {
    const reply = await this.send(
      { op: 'unseal', frame: req.frame, keyId: req.dataKey.id, key: req.dataKey.key, blockKey: req.key, hash: req.hash },
      req.frame,
    );
    return asBuffer(reply.plain!);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  /** Post a job; `payload`, when it owns its memory, is moved to the worker (the caller must not use it again). */
  private send(msg: Record<string, unknown>, payload: Uint8Array | undefined): Promise<Reply> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    if (slot.busy++ === 0) slot.worker.ref();
    const owns = !!payload && ownsBuffer(payload);
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...msg, id }, owns ? [payload!.buffer as ArrayBuffer] : []);
    });
  }
}
