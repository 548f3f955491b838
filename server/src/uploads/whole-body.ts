/**
 * A request body held whole (a block, a pack: bounded, and verified before anything is stored),
 * read into one buffer as it arrives. Collecting the pieces and joining them at the end held the
 * body twice, and left every piece (the HTTP parser's copies, a few KiB to 64 KiB each, in the
 * malloc heap) for V8 to free at its next collection for external memory — ~64 MiB later: under
 * bench:rss's upload the server's malloc heap grew by that much and never shrank. Each piece is
 * freed as soon as it is copied (body.ts `release`), and the caller frees the whole once done
 * with it (`releaseMemory`, or `giveBodyBack` to have the next body read into the same memory).
 *
 * A body of declared length is read into pooled memory: a big file's upload is a stream of 2-4
 * MiB packs, and each fresh buffer's every page was a fault (on this VM ~3.5 ms of CPU per MiB,
 * ~0.35 s per 100 MiB uploaded); warm memory costs none. The spares are freed when idle.
 */
import { BufferPool, releaseMemory, SPARE_IDLE_MS } from '@coffer/storage-engine';
import type { HttpError } from '../http-errors.js';
import { requestBytes, type RequestBody } from './body.js';

/** Two packs in flight per uploading client, a few clients: spares of up to a pack's size, freed once unused for SPARE_IDLE_MS. */
const bodies = new BufferPool({ maxBuffers: 4, maxBufferBytes: 16 * 1024 * 1024, grain: 256 * 1024, idleMs: SPARE_IDLE_MS });

/**
 * Done with a body from readWholeBody, and with every view of it: its memory serves the next body.
 * Only once nothing reads it any more (a store that might still be running does).
 */
export function giveBodyBack(body: Uint8Array): void {
  if (!bodies.give(body)) releaseMemory(body);
}

/** Smaller bodies come from malloc's heap (under its mmap threshold, 128 KiB at `npm start`), warm already. */
const POOLED_FROM = 128 * 1024;

/** Below this a body without a declared length starts; it doubles as needed, up to the limit. */
const FIRST_BYTES = 64 * 1024;

export async function readWholeBody(body: RequestBody, declaredLength: number | undefined, limit: number, tooLarge: () => HttpError): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > limit) throw tooLarge();
  let out = declaredLength !== undefined && declaredLength >= POOLED_FROM ? bodies.take(declaredLength) : Buffer.allocUnsafeSlow(declaredLength ?? FIRST_BYTES);
  let at = 0;
  for await (const piece of requestBytes(body, { limit, tooLarge, release: true })) {
    if (at + piece.byteLength > out.byteLength) {
      // No (or a wrong) declared length: grow. Node's parser never gives more than Content-Length.
      const grown = Buffer.allocUnsafeSlow(Math.min(limit, Math.max(out.byteLength * 2, at + piece.byteLength)));
      grown.set(out.subarray(0, at));
      out = grown;
    }
    out.set(piece, at);
    at += piece.byteLength;
  }
  // Shorter than declared (the client stopped early): a copy of what came, so nothing past it is read.
  return at === out.byteLength ? out : Buffer.from(out.subarray(0, at));
}
