/**
 * Sending one block the server lacks, in as few bytes as the server accepts (issue 21): a zstd
 * delta against the previous version's blocks at the same place when this device still has their
 * plaintext (block-cache.ts), else zstd, else raw. The bases are found by offset overlap in the
 * replaced version's block list. A server without PUT /blocks/{sha256}/encoded (404 on
 * the route) gets raw blocks on PUT /blocks/{sha256}, as before, for the rest of the upload.
 */
import { DELTA_DICTIONARY_BYTES, MAX_DELTA_BASES, usableDeltaBase, type BlockRef } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { SyncApi } from '../sync/sync-api.js';
import type { BlockCache } from './block-cache.js';
import type { TransferStats } from './stats.js';
import { compressed, encodeBlock, type EncodedBlock } from './wire-encode.js';

export interface WireOptions {
  /** Plaintext of blocks sent or received before: the bases of deltas. Without it, blocks are only compressed. */
  cache?: BlockCache;
  /** The block list of the version this upload replaces; asked once, and only when a block must be sent. */
  baseBlocks?: () => Promise<readonly BlockRef[] | undefined>;
  /** Raw blocks on the old route only (a server too old, or a test of one). */
  raw?: boolean;
}

export type BlockSendApi = Pick<SyncApi, 'putBlock' | 'putBlockEncoded'>;

interface Placed {
  hash: string;
  offset: number;
  end: number;
}

export class BlockSender {
  #encoded: boolean;
  #bases: Promise<Placed[]> | undefined;

  constructor(
    private readonly api: BlockSendApi,
    private readonly wire: WireOptions,
    private readonly stats: TransferStats,
  ) {
    this.#encoded = !wire.raw && api.putBlockEncoded !== undefined;
  }

  /** Keep a block's plaintext as the base of a later delta (every block of the file read, sent or not). */
  async remember(hash: string, bytes: Uint8Array): Promise<void> {
    await this.wire.cache?.put(hash, bytes);
  }

  /** PUT one block found at `offset` of the file. */
  async send(hash: string, bytes: Uint8Array, offset: number): Promise<void> {
    let enc = this.#encoded ? await encodeBlock(bytes, await this.#base(hash, offset, bytes.byteLength)) : undefined;
    while (enc && this.#encoded) {
      try {
        await this.api.putBlockEncoded!(hash, enc.body, { encoding: enc.encoding, size: bytes.byteLength, ...(enc.bases ? { base: enc.bases.join(',') } : {}) });
        this.#count(enc.body.byteLength, enc);
        return;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === 'base_not_found') enc = await compressed(bytes); // the base is gone (or never readable): without it
        else if (err.code === 'invalid_encoding') enc = undefined; // the server decodes differently: raw is always understood
        else if (err.status === 404 || err.status === 405) this.#encoded = false; // no such route: an older server
        else throw err;
      }
    }
    await this.api.putBlock(hash, bytes);
    this.#count(bytes.byteLength, undefined);
  }

  #count(wireBytes: number, enc: EncodedBlock | undefined): void {
    this.stats.blockWireBytesSent += wireBytes;
    if (enc?.encoding === 'zstd-delta') this.stats.deltasSent++;
  }

  /**
   * The dictionary of a delta: the replaced version's blocks near [offset, offset + size) — the
   * window widened by half the block each way, as content moves when bytes are inserted or
   * removed — whose plaintext is cached, at most MAX_DELTA_BASES within DELTA_DICTIONARY_BYTES,
   * joined with the most overlapping last.
   */
  async #base(hash: string, offset: number, size: number): Promise<{ hashes: string[]; bytes: Buffer } | undefined> {
    const { cache, baseBlocks } = this.wire;
    if (!cache || !baseBlocks) return undefined;
    this.#bases ??= baseBlocks().then(
      (list) => {
        let at = 0;
        return (list ?? []).map((b) => ({ hash: b.hash, offset: at, end: (at += b.size) }));
      },
      () => [], // no list, no deltas: the upload itself goes on
    );
    const [from, to] = [offset - size / 2, offset + size + size / 2];
    // Ranked by overlap with the block's own range first: a large neighbour can overlap the widened
    // window more than the block at the same place does, and alone fill the dictionary.
    const near = (await this.#bases)
      .map((b) => ({ ...b, own: Math.max(0, Math.min(offset + size, b.end) - Math.max(offset, b.offset)), overlap: Math.min(to, b.end) - Math.max(from, b.offset) }))
      .filter((b) => b.overlap > 0 && b.hash !== hash)
      .sort((a, b) => b.own - a.own || b.overlap - a.overlap);
    const chosen: { hash: string; bytes: Buffer }[] = [];
    let bytes = 0;
    for (const b of near) {
      if (chosen.length === MAX_DELTA_BASES) break;
      if (chosen.some((c) => c.hash === b.hash)) continue;
      const got = await cache.get(b.hash);
      if (!got) continue;
      // zstd uses the last DELTA_DICTIONARY_BYTES of a dictionary: past it, a further base would push out a better one.
      if (chosen.length > 0 && bytes + got.byteLength > DELTA_DICTIONARY_BYTES) break;
      chosen.push({ hash: b.hash, bytes: got });
      bytes += got.byteLength;
    }
    // The best base last, nearest the block (a block starting with zstd's dictionary magic cannot start the dictionary).
    const ordered = chosen.reverse();
    if (ordered.length === 0 || !usableDeltaBase(ordered[0]!.bytes)) return undefined;
    return { hashes: ordered.map((c) => c.hash), bytes: Buffer.concat(ordered.map((c) => c.bytes)) };
  }
}
