/**
 * Block-level download: build a file from its version's block list, taking every block a local
 * file already has from disk and fetching only the others with GET /blocks/:sha256. Every block
 * is checked against its hash, so a local file that changed meanwhile cannot corrupt the result.
 * A file with nothing local to reuse (new here), or the part of one past the reusable file's end,
 * comes in fetch packs, several ahead (fetch-groups.ts).
 * `writeBlocks` writes into any open file (the sync agent's LocalFs too); `assembleFile` is the
 * CLI's: a temp file beside the target, fsync, mtime, rename.
 */
import { stat } from 'node:fs/promises';
import { releaseMemory } from '@coffer/storage-engine/memory';
import type { BlockRef } from '@coffer/protocol';
import type { SyncApi } from '../sync/sync-api.js';
import { handleChunks, sha256Hex } from './blocks.js';
import { nodeReadable, type ReadableFile, type ReadHandle, type WriteHandle } from './file-handle.js';
import type { BlockCache } from './block-cache.js';
import { TransferStats, type Progress } from './stats.js';
import { replaceFile } from './atomic-write.js';
import { BlockFetcher, type FetchBases } from './wire-fetch.js';
import { GroupFetcher } from './fetch-groups.js';
import { DELTA_DICTIONARY_BYTES } from '@coffer/protocol';

type BlockApi = Pick<SyncApi, 'getBlock' | 'getBlockEncoded' | 'fetchBlocks'>;

export interface WriteBlocksOptions {
  /** A file whose blocks may be reused (often an older version of the same file). */
  reuse?: ReadableFile;
  stats?: TransferStats;
  onProgress?: Progress;
  /** Keeps each block written, and the list, as the bases of a later delta upload (issue 21, wire-send.ts). */
  cache?: BlockCache;
}

/** Blocks of one file fetched at once (a few MiB in memory at most). */
const BLOCKS_AHEAD = 4;

export async function writeBlocks(api: BlockApi, blocks: readonly BlockRef[], out: WriteHandle, o: WriteBlocksOptions = {}): Promise<void> {
  const stats = o.stats ?? new TransferStats();
  const total = blocks.reduce((n, b) => n + b.size, 0);
  const src = o.reuse ? await o.reuse.open().catch(() => undefined) : undefined;
  // Every block of the reusable file by offset: a changed block is fetched as a delta against
  // the old block where it sits (issue 21), the one after the last block reused.
  const old: { hash: string; offset: number; size: number }[] = [];
  try {
    // Where each wanted block sits in the reusable file (offsets only; bytes are read again later).
    const have = new Map<string, number>();
    if (src) {
      const wanted = new Set(blocks.map((b) => b.hash));
      let offset = 0;
      for await (const c of handleChunks(src, undefined, (await src.stat()).size)) {
        if (wanted.has(c.hash) && !have.has(c.hash)) have.set(c.hash, offset);
        old.push({ hash: c.hash, offset, size: c.bytes.byteLength });
        offset += c.bytes.byteLength;
      }
    }
    const fetcher = new BlockFetcher(api);
    // Nothing to reuse nor to take delta bases from (a new file here): the blocks come in packs,
    // several requests ahead (fetch-groups.ts); else each changed block alone, as a delta where it
    // can — except blocks wholly past the end of the reusable file (a file that grew: a copy seen
    // half-written, then whole), which have no old block to be a delta of and come in packs too.
    // For each block, the old file's offset after the last block before it that is reused: where its delta base sits.
    const after: number[] = [];
    /** Blocks not reused whose place in the old file (as far from its last reused block as here) is past its end. */
    const grown: BlockRef[] = [];
    const oldEnd = old.at(-1) ? old.at(-1)!.offset + old.at(-1)!.size : 0;
    let next = 0;
    let offset = 0;
    let reusedEnd = 0;
    for (const b of blocks) {
      after.push(next);
      const at = have.get(b.hash);
      if (at !== undefined) {
        next = at + b.size;
        reusedEnd = offset + b.size;
      } else if (next + (offset - reusedEnd) >= oldEnd) grown.push(b);
      offset += b.size;
    }
    const fetchBlocks = api.fetchBlocks?.bind(api);
    const packed = src ? grown : blocks;
    const groups = fetchBlocks && packed.length > 1 ? new GroupFetcher({ fetchBlocks }, packed, stats) : undefined;
    let done = 0;
    // A few blocks are fetched ahead of the one being written: one at a time, a big file waited a
    // round trip and the server's read per block (~20–80 ms each for 1 MiB blocks).
    // A block read here, or one from a pack (a buffer of its own), is freed once written at its
    // last place in the file (a repeated block is handed out again until then): a 100 MiB file's
    // blocks otherwise cost the receiving agent ~3 collections for external memory.
    const lastAt = new Map(blocks.map((b, i) => [b.hash, i]));
    const ahead = new Map<number, Promise<{ bytes: Uint8Array; own: boolean }>>();
    const start = (i: number) => {
      const b = blocks[i];
      if (!b || ahead.has(i)) return;
      const p = (async () => {
        const local = await reuse(src, have.get(b.hash), b);
        if (local) return { bytes: local, own: true };
        const packed = await groups?.take(b);
        if (packed) return { bytes: packed, own: lastAt.get(b.hash) === i };
        return { bytes: await fetchBlock(fetcher, b, stats, await basesAt(src, after[i]!)), own: false };
      })();
      p.catch(() => undefined); // awaited in turn below; a failure ahead must not go unhandled meanwhile
      ahead.set(i, p);
    };
    for (const [i, b] of blocks.entries()) {
      for (let j = i; j < i + BLOCKS_AHEAD; j++) start(j);
      const { bytes, own } = await ahead.get(i)!;
      ahead.delete(i);
      await out.write(bytes);
      await o.cache?.put(b.hash, bytes);
      if (own) releaseMemory(bytes);
      o.onProgress?.('assembling', (done += b.size), total);
    }
    await o.cache?.putList?.(blocks); // with the blocks: the next local edit's delta bases, without asking
  } finally {
    await src?.close();
  }

  /** The old block starting at `offset` (or holding it), read and checked; none past the end or when changed on disk. */
  async function basesAt(h: ReadHandle | undefined, offset: number): Promise<FetchBases | undefined> {
    if (!h || old.length === 0) return undefined;
    const i = old.findIndex((c) => c.offset + c.size > offset);
    const c = old[i === -1 ? old.length - 1 : i]!;
    if (c.size > DELTA_DICTIONARY_BYTES) return undefined;
    const buf = new Uint8Array(c.size);
    if ((await h.read(buf, 0, c.size, c.offset)) !== c.size || sha256Hex(buf) !== c.hash) return undefined;
    return { hashes: [c.hash], bytes: buf };
  }

  async function reuse(h: ReadHandle | undefined, offset: number | undefined, b: BlockRef): Promise<Uint8Array | undefined> {
    if (!h || offset === undefined) return undefined;
    const buf = new Uint8Array(b.size);
    const n = await h.read(buf, 0, b.size, offset);
    if (n !== b.size || sha256Hex(buf) !== b.hash) return undefined; // changed on disk: fetch it
    stats.blocksReused++;
    return buf;
  }
}

async function fetchBlock(fetcher: BlockFetcher, b: BlockRef, stats: TransferStats, bases?: FetchBases): Promise<Uint8Array> {
  const bytes = await fetcher.fetch(b.hash, b.size, bases);
  if (bytes.byteLength !== b.size || sha256Hex(bytes) !== b.hash) throw new Error(`block ${b.hash} arrived damaged; try again`);
  stats.bytesDownloaded += bytes.byteLength;
  return bytes;
}

export interface AssembleOptions {
  /** A local file whose blocks may be reused (often the destination itself: an older version). */
  reuseFrom?: string;
  mtime?: Date;
  stats?: TransferStats;
  onProgress?: Progress;
}

/** The CLI's download by blocks: written to a temp file beside `localPath`, then renamed over it. */
export async function assembleFile(api: BlockApi, blocks: readonly BlockRef[], localPath: string, o: AssembleOptions = {}): Promise<void> {
  const source = o.reuseFrom && (await stat(o.reuseFrom).catch(() => undefined))?.isFile() ? o.reuseFrom : undefined;
  await replaceFile(
    localPath,
    async (fh) => {
      // Synced and closed by replaceFile.
      const out: WriteHandle = { write: async (b) => void (await fh.write(b)), sync: async () => undefined, close: async () => undefined };
      await writeBlocks(api, blocks, out, { reuse: source ? nodeReadable(source) : undefined, stats: o.stats, onProgress: o.onProgress });
    },
    { mtime: o.mtime },
  );
}
