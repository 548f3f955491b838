/** A request body as the engine takes it: an async iterable of bytes, counted and bounded. */
import type { HttpError } from '../http-errors.js';

export interface BodyOptions {
  /** More than this many bytes (after `skip`) throws `tooLarge()`. */
  limit: number;
  tooLarge: () => HttpError;
  /** Bytes at the start to drop (a resumed piece that overlaps what is already stored). */
  skip?: number;
}

export async function* requestBytes(body: ReadableStream<Uint8Array> | null, opts: BodyOptions): AsyncGenerator<Uint8Array> {
  if (!body) return;
  let skip = opts.skip ?? 0;
  let seen = 0;
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      let bytes = value;
      if (skip > 0) {
        const drop = Math.min(skip, bytes.byteLength);
        skip -= drop;
        bytes = bytes.subarray(drop);
        if (bytes.byteLength === 0) continue;
      }
      seen += bytes.byteLength;
      if (seen > opts.limit) throw opts.tooLarge();
      yield bytes;
    }
  } finally {
    // Stopped early (refused or failed): stop taking the client's bytes.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Read and discard a body the server refused before reading it, when its declared length is
 * small: a client still sending would otherwise see the connection cut instead of the answer.
 * Bigger or unsized bodies are left alone (the connection closes after the answer).
 */
export async function discardBody(body: ReadableStream<Uint8Array> | null, declaredLength: number | undefined, limit = 16 * 1024 * 1024): Promise<void> {
  if (!body || body.locked || declaredLength === undefined || declaredLength > limit) return;
  const reader = body.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away: nothing to answer
  } finally {
    reader.releaseLock();
  }
}
