/**
 * Sending one block the server lacks, in as few bytes as the server accepts (issue 21): a zstd
 * delta against the previous version's block at the same place when this device still has that
 * block's plaintext (block-cache.ts), else zstd, else raw. The base is found by offset overlap
 * in the replaced version's block list. A server without PUT /blocks/{sha256}/encoded (404 on
 * the route) gets raw blocks on PUT /blocks/{sha256}, as before, for the rest of the upload.
 */
import type { BlockRef } from '@coffer/protocol';
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
        await this.api.putBlockEncoded!(hash, enc.body, { encoding: enc.encoding, size: bytes.byteLength, ...(enc.base ? { base: enc.base } : {}) });
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

  /** The replaced version's block that overlaps [offset, offset + size) most and whose plaintext is cached. */
  async #base(hash: string, offset: number, size: number): Promise<{ hash: string; bytes: Buffer } | undefined> {
    const { cache, baseBlocks } = this.wire;
    if (!cache || !baseBlocks) return undefined;
    this.#bases ??= baseBlocks().then(
      (list) => {
        let at = 0;
        return (list ?? []).map((b) => ({ hash: b.hash, offset: at, end: (at += b.size) }));
      },
      () => [], // no list, no deltas: the upload itself goes on
    );
    const end = offset + size;
    const overlapping = (await this.#bases)
      .map((b) => ({ hash: b.hash, overlap: Math.min(end, b.end) - Math.max(offset, b.offset) }))
      .filter((b) => b.overlap > 0 && b.hash !== hash)
      .sort((a, b) => b.overlap - a.overlap);
    for (const b of overlapping) {
      const bytes = await cache.get(b.hash);
      if (bytes) return { hash: b.hash, bytes };
    }
    return undefined;
  }
}
