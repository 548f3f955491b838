/**
 * Worker-thread half of WorkerSealer: seals chunks (hash, compress, encrypt) and unseals frames
 * (decrypt, decompress, verify), moving buffers to and fro instead of copying them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BlockIds } from './block-id.js';
import type { ErasureOptions } from './erasure.js';
import { sealChunk, unsealFrame } from './sealer.js';

interface SealJob {
  op: 'seal';
  id: number;
  namespace: string;
  chunk: Uint8Array;
  keyId: Uint8Array;
  key: Uint8Array;
  compress: boolean;
  erasure: ErasureOptions;
}

interface UnsealJob {
  op: 'unseal';
  id: number;
  frame: Uint8Array;
  keyId: Uint8Array;
  key: Uint8Array;
  blockKey: string;
  hash: string;
}

const ids = new BlockIds(Buffer.from(workerData.secret as Uint8Array));

/** Move a buffer's memory when it owns all of it; otherwise it is copied. */
function transferable(b: Uint8Array): ArrayBuffer[] {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? [b.buffer] : [];
}

parentPort!.on('message', async (job: SealJob | UnsealJob) => {
  const dataKey = { id: Buffer.from(job.keyId), key: Buffer.from(job.key) };
  try {
    if (job.op === 'seal') {
      const { chunk, namespace, compress, erasure } = job;
      const sealed = await sealChunk(ids, { namespace, chunk, dataKey, compress, erasure });
      const shards = sealed.shards.map((s) => ({ bytes: new Uint8Array(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength), checksum: s.checksum }));
      parentPort!.postMessage(
        { id: job.id, hash: sealed.hash, key: sealed.key, size: sealed.size, frameSize: sealed.frameSize, layout: sealed.layout, shards, timings: sealed.timings },
        shards.flatMap((s) => transferable(s.bytes)),
      );
    } else {
      const t0 = process.hrtime.bigint();
      const plain = unsealFrame({ frame: job.frame, dataKey, key: job.blockKey, hash: job.hash });
      const out = new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
      parentPort!.postMessage({ id: job.id, plain: out, ns: Number(process.hrtime.bigint() - t0) }, transferable(out));
    }
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: job.id, error: e.message, errorName: e.name });
  }
});
