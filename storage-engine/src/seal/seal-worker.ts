/**
 * Worker-thread half of WorkerSealer: seals chunks (hash, compress, encrypt, erasure-code) and
 * unseals frames (decrypt, decompress, verify). Chunks and shard objects in the block arena
 * (block-memory.ts), which this thread sees from its start, travel as offsets; other buffers are
 * moved to and fro instead of copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BlockIds } from '../keys/block-id.js';
import type { ErasureOptions } from '../erasure/erasure.js';
import { sealChunk, unsealFrame } from './sealer.js';

interface Span {
  offset: number;
  length: number;
}

interface SealJob {
  op: 'seal';
  id: number;
  namespace: string;
  /** The chunk itself, or where it lies in the arena. */
  chunk?: Uint8Array;
  chunkAt?: Span;
  /** An arena piece for the shard objects (at least objectsBound bytes), when one was free. */
  objectsAt?: Span;
  keyId: Uint8Array;
  key: Uint8Array;
  compress: boolean;
  erasure: ErasureOptions;
  /** The chunk's SHA-256, verified by the caller (SealRequest.sha256). */
  sha256?: Uint8Array;
}

interface UnsealJob {
  op: 'unseal';
  id: number;
  frame: Uint8Array;
  keyId: Uint8Array;
  key: Uint8Array;
  blockKey: string;
  hash?: string;
}

const ids = new BlockIds(Buffer.from(workerData.secret as Uint8Array));
const arena = Buffer.from(workerData.arena as SharedArrayBuffer);
const view = (s: Span) => arena.subarray(s.offset, s.offset + s.length);

/** Move a buffer's memory when it owns all of it; otherwise it is copied. */
function transferable(b: Uint8Array): ArrayBuffer[] {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? [b.buffer] : [];
}

parentPort!.on('message', async (job: SealJob | UnsealJob) => {
  const dataKey = { id: Buffer.from(job.keyId), key: Buffer.from(job.key) };
  try {
    if (job.op === 'seal') {
      const { namespace, compress, erasure, objectsAt, sha256 } = job;
      const chunk = job.chunkAt ? view(job.chunkAt) : job.chunk!;
      const allocate = (bytes: number) => (objectsAt && bytes <= objectsAt.length ? view(objectsAt).subarray(0, bytes) : Buffer.allocUnsafeSlow(bytes));
      const { sealed, memory } = await sealChunk(ids, { namespace, chunk, dataKey, compress, erasure, ...(sha256 ? { sha256 } : {}) }, allocate);
      const inArena = memory.buffer === arena.buffer;
      // In the arena the objects travel as spans; otherwise as views of their one fresh buffer,
      // which moves to the main thread.
      const shards = sealed.shards.map((s) => ({
        parts: s.parts.map((p) => (inArena ? [p.byteOffset, p.byteLength] : new Uint8Array(p.buffer, p.byteOffset, p.byteLength))),
        checksum: s.checksum,
      }));
      parentPort!.postMessage(
        { id: job.id, hash: sealed.hash, key: sealed.key, size: sealed.size, frameSize: sealed.frameSize, layout: sealed.layout, shards, timings: sealed.timings },
        inArena ? [] : [memory.buffer as ArrayBuffer],
      );
    } else {
      const t0 = process.hrtime.bigint();
      const plain = unsealFrame({ frame: job.frame, dataKey, key: job.blockKey, hash: job.hash });
      const out = new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
      // Decrypted in place, the plaintext is a view of the frame's memory, which came with the job
      // and is this thread's alone to move back. A decompressed plaintext is a buffer of its own,
      // and the spent frame goes back too: garbage left here would wait for this thread's own
      // collector, which (rarely allocating) lets tens of MiB of dead frames pile up.
      const frame = job.frame.buffer;
      const own = frame instanceof ArrayBuffer && frame.byteLength > 0;
      const move = plain.buffer === frame && own ? [frame] : transferable(out);
      const spent = own && plain.buffer !== frame ? frame : undefined;
      if (spent) move.push(spent);
      parentPort!.postMessage({ id: job.id, plain: out, spent, ns: Number(process.hrtime.bigint() - t0) }, move);
    }
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: job.id, error: e.message, errorName: e.name });
  }
});
