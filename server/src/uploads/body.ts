/** A request body as the engine takes it: an async iterable of bytes, counted and bounded. */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { releaseMemory } from '@coffer/storage-engine';
import type { HttpError } from '../http-errors.js';

export interface BodyOptions {
  /** More than this many bytes (after `skip`) throws `tooLarge()`. */
  limit: number;
  tooLarge: () => HttpError;
  /** Bytes at the start to drop (a resumed piece that overlaps what is already stored). */
  skip?: number;
  /** The consumer keeps no piece once it asks for the next (FileStore.write copies each into
   *  block memory): each piece's memory is freed then, not when the garbage collector runs. */
  release?: boolean;
}

/** What a streamed upload reads: a request body as it arrives. */
export type RequestBody = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | null;

/**
 * The body of a streamed upload. Under Node's HTTP server, the request itself (its pieces are
 * the HTTP parser's own copies), unless something read the body already; otherwise the
 * standard stream (which copies every piece once more).
 */
export function uploadBody(c: Context): RequestBody {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && typeof incoming.readableDidRead === 'boolean' && !incoming.readableDidRead && incoming.listenerCount('data') === 0) return incoming;
  return c.req.raw.body;
}

export async function* requestBytes(body: RequestBody, opts: BodyOptions): AsyncGenerator<Uint8Array> {
  if (!body) return;
  let skip = opts.skip ?? 0;
  let seen = 0;
  // Leaving early (refused or failed) cancels the standard stream or destroys the request:
  // either way the client's bytes stop being taken.
  for await (const value of body instanceof ReadableStream ? streamPieces(body) : body) {
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
    if (opts.release) releaseMemory(value);
  }
}

async function* streamPieces(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
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
