/**
 * Answering with a file's bytes: streamed block by block from the engine (never the whole file
 * in memory), with validators and ranges as browsers, curl and sync clients expect, and the
 * headers that keep stored content from running as script (user-content.ts).
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { recycleBlock, releaseMemory } from '@coffer/storage-engine';
import type { AppDeps } from '../deps.js';
import { loggable } from '../error-log.js';
import type { VersionRow } from '../files/revisions.js';
import { blocksOfVersion } from '../files/versions.js';
import { etagOf } from '../files/view.js';
import { parseRange } from './range.js';
import { userContentHeaders } from './user-content.js';

export async function sendVersion(c: Context, deps: AppDeps, name: string, v: VersionRow, opts: { inline?: boolean } = {}): Promise<Response> {
  const etag = etagOf(v.contentHash);
  const headers: Record<string, string> = {
    ETag: etag,
    'Last-Modified': v.createdAt.toUTCString(),
    'Accept-Ranges': 'bytes',
    // Type, disposition, nosniff and a sandboxing CSP: stored HTML or SVG never runs here.
    ...userContentHeaders(name, opts),
    'Cache-Control': 'private, no-cache',
    'X-Coffer-Rev': String(v.rev),
  };
  if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304, { ETag: etag, 'Cache-Control': headers['Cache-Control']! });
  const ifRange = c.req.header('if-range');
  const range = ifRange === undefined || ifRange === etag ? parseRange(c.req.header('range'), v.size) : undefined;
  const blocks = await blocksOfVersion(deps.db, v.id);
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size;
  headers['Content-Length'] = String(end - start);
  if (range) headers['Content-Range'] = `bytes ${start}-${end - 1}/${v.size}`;
  if (c.req.method === 'HEAD' || end === start) return c.body(null, range ? 206 : 200, headers);
  const source = deps.storage.files.read(blocks, { start, end });
  // The first block is read before answering, so storage trouble is a clean 503, not a cut-off 200.
  let first: IteratorResult<Buffer> | undefined = await source.next();
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  // The block handed on last: each sits in memory of its own (FileStore.read), freed as soon as
  // the socket has taken it rather than at V8's next collection for external memory.
  let sent: Buffer | undefined;
  const stream: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Asked again (no read-ahead: highWaterMark 0). Once the headers are out, Node's adapter
        // writes each block it takes before asking for the next (before that it may hold a few to
        // size a small body), so with nothing pending on the response no one holds the block any
        // more. Only when this stream is what the server writes out (no middleware wrapped it).
        if (sent && outgoing?.headersSent && outgoing.writableLength === 0 && c.res.body === stream) {
          // The engine's read memory serves its next read; other memory is freed now.
          if (!recycleBlock(sent)) releaseMemory(sent);
        }
        sent = undefined;
        try {
          const next = first ?? (await source.next());
          first = undefined;
          if (next.done) controller.close();
          else {
            controller.enqueue(next.value);
            sent = next.value;
          }
        } catch (err) {
          // Headers are gone already: the client sees a truncated body. The HTTP server logs what the
          // stream failed with, so it gets the error without any SQL it carried.
          controller.error(loggable(err));
        }
      },
      async cancel() {
        await source.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  return c.body(stream, range ? 206 : 200, headers);
}

/** If-None-Match names this ETag (or `*`): the answer is a 304 without the bytes. */
export function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
