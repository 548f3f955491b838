/**
 * Worker-thread half of WorkerSealer: seals chunks (hash, compress, encrypt) and unseals frames
 * (decrypt, decompress, verify), moving buffers to and fro instead of copying them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BlockIds } from './block-id.js';
import { sealChunk, unsealFrame } from './sealer.js';

interface SealJob {
  op: 'seal';
  id: number;
  namespace: string;
  chunk: Uint8Array;
  keyId: Uint8Array;
  key: Uint8Array;
  compress: boolean;
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

parentPort!.on('message', (job: SealJob | UnsealJob) => {
  const dataKey = { id: Buffer.from(job.keyId), key: Buffer.from(job.key) };
  try {
    if (job.op === 'seal') {
      const sealed = sealChunk(ids, { namespace: job.namespace, chunk: job.chunk, dataKey, compress: job.compress });
      const frame = new Uint8Array(sealed.frame.buffer, sealed.frame.byteOffset, sealed.frame.byteLength);
      parentPort!.postMessage(
        { id: job.id, hash: sealed.hash, key: sealed.key, frame, size: sealed.size, timings: sealed.timings },
        transferable(frame),
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
