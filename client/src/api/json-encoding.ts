/**
 * Compressed JSON both ways (@coffer/protocol json-encoding.ts): a request body of at least
 * JSON_COMPRESS_MIN_BYTES goes as zstd when that is smaller, and a zstd answer is decoded — bounded,
 * so a damaged or hostile answer cannot make the client hold more than MAX_ANSWER_BYTES.
 */
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { JSON_COMPRESS_MIN_BYTES, JSON_ZSTD_LEVEL } from '@coffer/protocol';
import { zstdCompress, zstdDecompress } from '../zstd.js';

/** The largest decoded JSON answer taken (a page of changes or a batch's answers is a few MiB at most). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/** The body as zstd, or undefined when it is short or would not shrink by more than the header costs. */
export async function compressedJson(text: string): Promise<Buffer | undefined> {
  if (text.length < JSON_COMPRESS_MIN_BYTES) return undefined;
  const plain = Buffer.from(text);
  const packed = await zstdCompress(plain, { params: { [zlib.constants.ZSTD_c_compressionLevel]: JSON_ZSTD_LEVEL } });
  return packed.byteLength + 32 < plain.byteLength ? packed : undefined;
}

/** An answer's body as sent before its Content-Encoding (zstd, the only one asked for; anything else as it came). */
export async function decodedAnswer(res: Pick<IncomingMessage, 'headers'>, body: Buffer): Promise<Buffer> {
  if (res.headers['content-encoding']?.trim().toLowerCase() !== 'zstd' || body.byteLength === 0) return body;
  // Its size is not known: about what zstd makes of JSON (~8:1), so most answers come in one chunk.
  return zstdDecompress(body, { maxOutputLength: MAX_ANSWER_BYTES }, body.byteLength * 8);
}
