/**
 * Decoding a block that came encoded (issue 21, PUT /blocks/{sha256}/encoded): zstd frames,
 * possibly compressed against a base block's plaintext as dictionary (`zstd --patch-from`). The
 * output is bounded by the declared size, so a decompression bomb stops at that many bytes; the
 * decoded block is then checked and stored like any other (put.ts).
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { usableDeltaBase, type EncodedBlockQuery } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { BadRequestError, NotFoundError } from '../http-errors.js';
import type { Storage } from '../storage.js';
import { readableBlockKey } from './readable.js';

/** Node 24's zstd takes a `dictionary` (raw content when it is not a trained one); @types/node does not list it yet. */
type ZstdDictOptions = zlib.ZstdOptions & { dictionary?: Buffer };
const zstdDecompress = promisify(zlib.zstdDecompress) as (body: Buffer, o: ZstdDictOptions) => Promise<Buffer>;

/** 8 MiB windows at most: a block is ≤ 4 MiB, and a frame asking for more memory is refused, not honoured. */
const WINDOW_LOG_MAX = 23;

function invalid(why: string): BadRequestError {
  return new BadRequestError(`the encoded block does not decode: ${why}; nothing was stored`, { code: 'invalid_encoding' });
}

/** The plaintext of block `hash` for a delta, if the caller may read it (404 'base_not_found' otherwise). */
export async function baseBlock(db: Db, storage: Storage, user: AuthUser, hash: string): Promise<Buffer> {
  let key: string;
  try {
    key = await readableBlockKey(db, storage, user, hash);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('the delta’s base is not a block of a file you may read', { code: 'base_not_found', details: { base: hash } });
    throw err;
  }
  return Buffer.from(await storage.blocks.get(key));
}

/** The block's plaintext from its encoded body: exactly `q.size` bytes, or 400 'invalid_encoding'. */
export async function decodeBlock(body: Buffer, q: EncodedBlockQuery, base: Buffer | undefined): Promise<Buffer> {
  if (q.encoding === 'zstd-delta' && (!base || !usableDeltaBase(base))) throw invalid('the base cannot be a raw-content dictionary');
  let out: Buffer;
  try {
    out = await zstdDecompress(body, {
      maxOutputLength: q.size,
      params: { [zlib.constants.ZSTD_d_windowLogMax]: WINDOW_LOG_MAX },
      ...(q.encoding === 'zstd-delta' ? { dictionary: base } : {}),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw invalid(code === 'ERR_BUFFER_TOO_LARGE' ? `it is larger than the declared ${q.size} bytes` : ((err as Error).message ?? 'corrupt'));
  }
  if (out.byteLength !== q.size) throw invalid(`it is ${out.byteLength} bytes, not the declared ${q.size}`);
  return out;
}
