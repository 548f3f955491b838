/**
 * An entry pack (`POST /blocks/pack/entries`, @coffer/protocol entry-pack.ts) turned into verified
 * blocks: each entry decoded as PUT /blocks/{sha256}/encoded decodes one (bounded by its declared
 * size; a delta's bases must be blocks the caller may read, looked up for the whole pack at once) and checked against the SHA-256
 * it names (a lean CFE2 entry names none: it is the block its bytes hash to). Any
 * fault throws before anything is stored; the caller then stores them as a pack (pack.ts).
 */
import { decodeEntryPack } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { BadRequestError, NotFoundError } from '../http-errors.js';
import type { Storage } from '../storage.js';
import { decodeBlock, deltaDictionary } from './decode.js';
import { sha256Hex } from './hash.js';
import { findReadable } from './readable.js';
import type { PackEntry } from './pack-parse.js';

export async function decodeEntries(db: Db, storage: Storage, user: AuthUser, data: Uint8Array): Promise<PackEntry[]> {
  const parsed = decodeEntryPack(data);
  if ('fault' in parsed) throw new BadRequestError(`${parsed.fault}; nothing of the pack was stored`, { code: 'invalid_pack', details: parsed.details });
  // Every delta's bases looked up together (one statement, not one per base).
  const bases = parsed.entries.flatMap((e) => e.bases ?? []);
  const readable = bases.length > 0 ? new Map((await findReadable(db, storage, user, bases)).map((b) => [b.hash, b.key])) : undefined;
  const out: PackEntry[] = [];
  for (const [entry, e] of parsed.entries.entries()) {
    let bytes: Uint8Array;
    try {
      if (e.encoding === 'identity') bytes = e.body;
      else {
        const dictionary = e.bases ? await deltaDictionary(db, storage, user, e.bases, readable) : undefined;
        const body = Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength);
        bytes = await decodeBlock(body, { encoding: e.encoding, size: e.size, ...(e.bases ? { base: [...e.bases] } : {}) }, dictionary);
      }
    } catch (err) {
      // The same answers as for one block, naming the entry.
      if (err instanceof BadRequestError || err instanceof NotFoundError) {
        const ctor = err instanceof NotFoundError ? NotFoundError : BadRequestError;
        throw new ctor(`entry ${entry}: ${err.message}`, { code: err.code, details: { ...(err.details as object | undefined), entry } });
      }
      throw err;
    }
    // A lean (CFE2) entry names no hash: the block is what its bytes hash to.
    const actual = sha256Hex(bytes);
    if (e.hash !== undefined && actual !== e.hash) {
      throw new BadRequestError(`entry ${entry}'s bytes do not hash to its SHA-256; nothing of the pack was stored`, { code: 'hash_mismatch', details: { entry, expected: e.hash, actual } });
    }
    out.push({ hash: actual, bytes });
  }
  return out;
}
