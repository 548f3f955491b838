/**
 * Decoding a block that came encoded (issue 21, PUT /blocks/{sha256}/encoded): zstd frames,
 * possibly compressed against base blocks' plaintext as dictionary (`zstd --patch-from`). The
 * output is bounded by the declared size, so a decompression bomb stops at that many bytes; the
 * decoded block is then checked and stored like any other (put.ts).
 */
import zlib from 'node:zlib';
import { MAX_DELTA_WINDOW_LOG, MAX_PACK_BYTES, usableDeltaBase, type EncodedBlockQuery } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { BadRequestError, NotFoundError } from '../http-errors.js';
import type { Storage } from '../storage.js';
import { zstdDecompress } from '../zstd.js';
import { readableBlockKey } from './readable.js';



function invalid(why: string): BadRequestError {
  return new BadRequestError(`the encoded block does not decode: ${why}; nothing was stored`, { code: 'invalid_encoding' });
}

/**
 * The dictionary of a delta: the plaintexts of blocks `hashes`, in order, each one the caller may
 * read (404 'base_not_found' otherwise). `readable`: the stored keys of the readable ones among
 * them, when the caller looked them up already (an entry pack's bases, in one go: readable.ts findReadable).
 */
export async function deltaDictionary(db: Db, storage: Storage, user: AuthUser, hashes: readonly string[], readable?: ReadonlyMap<string, string>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for (const hash of hashes) {
    let key: string | undefined;
    try {
      key = readable ? readable.get(hash) : await readableBlockKey(db, storage, user, hash);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    if (key === undefined) throw new NotFoundError('a delta’s base is not a block of a file you may read', { code: 'base_not_found', details: { base: hash } });
    parts.push(await storage.blocks.get(key));
  }
  return Buffer.concat(parts);
}

/** The block's plaintext from its encoded body: exactly `q.size` bytes, or 400 'invalid_encoding'. */
export async function decodeBlock(body: Buffer, q: EncodedBlockQuery, dictionary: Buffer | undefined): Promise<Buffer> {
  if (q.encoding === 'zstd-delta' && (!dictionary || !usableDeltaBase(dictionary))) throw invalid('the bases cannot make a raw-content dictionary');
  let out: Buffer;
  try {
    out = await zstdDecompress(
      body,
      {
        maxOutputLength: q.size,
        // A frame asking for a larger window (more memory) is refused, not honoured.
        params: { [zlib.constants.ZSTD_d_windowLogMax]: MAX_DELTA_WINDOW_LOG },
        ...(q.encoding === 'zstd-delta' ? { dictionary } : {}),
      },
      q.size,
    );
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw invalid(code === 'ERR_BUFFER_TOO_LARGE' ? `it is larger than the declared ${q.size} bytes` : ((err as Error).message ?? 'corrupt'));
  }
  if (out.byteLength !== q.size) throw invalid(`it is ${out.byteLength} bytes, not the declared ${q.size}`);
  return out;
}

/** A pack's bytes from its zstd body: at most MAX_PACK_BYTES, or 400 'invalid_encoding'. */
export async function decodePack(body: Buffer): Promise<Buffer> {
  try {
    // A pack's output size is not known: about what zstd makes of small files (~4:1), one chunk then.
    return await zstdDecompress(body, { maxOutputLength: MAX_PACK_BYTES, params: { [zlib.constants.ZSTD_d_windowLogMax]: MAX_DELTA_WINDOW_LOG } }, body.byteLength * 4);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw invalid(code === 'ERR_BUFFER_TOO_LARGE' ? `it is larger than MAX_PACK_BYTES (${MAX_PACK_BYTES})` : ((err as Error).message ?? 'corrupt'));
  }
}
