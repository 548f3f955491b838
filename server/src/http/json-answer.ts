/**
 * An operation's JSON answer, compressed with zstd when the request allows it (@coffer/protocol
 * json-encoding.ts: a bearer token and `Accept-Encoding: zstd`; at least JSON_COMPRESS_MIN_BYTES)
 * and when that saves something. Compression of all but small answers runs on libuv's threads (zstd.ts).
 */
import zlib from 'node:zlib';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { JSON_COMPRESS_MIN_BYTES, JSON_ZSTD_LEVEL, acceptsZstd } from '@coffer/protocol';
import { zstdCompress } from '../zstd.js';


/** Only bearer-token requests: never a cookie-authenticated browser's (BREACH; json-encoding.ts). */
function compressible(c: Context): boolean {
  return c.req.method !== 'HEAD' && /^bearer\s/i.test(c.req.header('authorization') ?? '') && acceptsZstd(c.req.header('accept-encoding'));
}

export async function jsonAnswer(c: Context, body: unknown, status: ContentfulStatusCode, headers?: Record<string, string>): Promise<Response> {
  const text = JSON.stringify(body);
  if (text.length >= JSON_COMPRESS_MIN_BYTES && compressible(c)) {
    const plain = Buffer.from(text);
    const packed = await zstdCompress(plain, { params: { [zlib.constants.ZSTD_c_compressionLevel]: JSON_ZSTD_LEVEL } });
    if (packed.byteLength < plain.byteLength) {
      // c.body, not a bare Response: headers set on the context by middleware (request id…) stay.
      return c.body(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), status, {
        ...headers,
        'content-type': 'application/json',
        'content-encoding': 'zstd',
        vary: 'Accept-Encoding',
      });
    }
  }
  return c.json(body as object, status, headers);
}
