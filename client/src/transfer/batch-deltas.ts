/**
 * Small files' edits as deltas (issue 21): in a batch (batch-upload.ts), a changed file's new
 * block goes as a zstd delta against its previous version's blocks when this device still has
 * their plaintext (block-cache.ts) — a version string changed in a 300 KB JSON file costs a few
 * dozen bytes instead of the whole file compressed. The previous versions' block lists come in one
 * request for the batch (POST /revisions/blocks/batch); the deltas in entry packs (POST
 * /blocks/pack/entries). Whatever cannot go as a delta is left to the batch's ordinary pack.
 */
import { DELTA_DICTIONARY_BYTES, MAX_DELTA_BASES, MAX_PACK_BLOCKS, MAX_PACK_BYTES, encodeEntryPack, usableDeltaBase, type BlockRef, type PackEntryOnWire } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { SyncApi } from '../sync/sync-api.js';
import type { BlockCache } from './block-cache.js';
import type { TransferStats } from './stats.js';
import { encodeBlock } from './wire-encode.js';

export type DeltaBatchApi = Pick<SyncApi, 'blockLists' | 'putPackEntries'>;

/** What of a batch item this needs (batch-upload.ts BatchItem). */
export interface BatchFile {
  read: { blocks: readonly BlockRef[]; bytes: readonly Uint8Array[] };
  commit: { fileId?: string | undefined; baseRev: number | null };
}

/** Keep every block of the batch (sent or not) as the base of its file's next edit. */
export async function rememberBatch(cache: BlockCache, items: readonly BatchFile[]): Promise<void> {
  for (const it of items) for (const [i, b] of it.read.blocks.entries()) await cache.put(b.hash, it.read.bytes[i]!);
}

/**
 * Send as deltas the missing blocks of files that replace a version whose blocks are cached;
 * answers the hashes sent (the rest still to go). Any refusal of the route or of a base leaves
 * those blocks to the ordinary pack: never an error of its own.
 */
export async function sendDeltas(api: DeltaBatchApi, cache: BlockCache, items: readonly BatchFile[], missing: ReadonlySet<string>, stats?: TransferStats): Promise<Set<string>> {
  const sent = new Set<string>();
  if (!api.blockLists || !api.putPackEntries) return sent;
  const prior = items.filter((it) => it.commit.fileId !== undefined && it.commit.baseRev !== null && it.read.blocks.some((b) => missing.has(b.hash)));
  if (prior.length === 0) return sent;
  let lists;
  try {
    lists = await api.blockLists(prior.map((it) => ({ id: it.commit.fileId!, rev: it.commit.baseRev! })));
  } catch (err) {
    if (err instanceof ApiError) return sent;
    throw err;
  }
  const entries: PackEntryOnWire[] = [];
  for (const [i, it] of prior.entries()) {
    const r = lists[i];
    if (!r?.ok) continue;
    // The previous version's blocks (a small file has one to four), as many as a dictionary takes.
    const bases: { hash: string; bytes: Buffer }[] = [];
    let size = 0;
    for (const b of r.blocks.blocks) {
      if (bases.length === MAX_DELTA_BASES || size + b.size > DELTA_DICTIONARY_BYTES) break;
      const got = await cache.get(b.hash);
      if (!got) break;
      bases.push({ hash: b.hash, bytes: got });
      size += got.byteLength;
    }
    if (bases.length === 0 || !usableDeltaBase(bases[0]!.bytes)) continue;
    const dictionary = { hashes: bases.map((b) => b.hash), bytes: Buffer.concat(bases.map((b) => b.bytes)) };
    for (const [k, b] of it.read.blocks.entries()) {
      if (!missing.has(b.hash) || sent.has(b.hash) || bases.some((x) => x.hash === b.hash)) continue;
      const enc = await encodeBlock(it.read.bytes[k]!, dictionary);
      if (enc?.encoding !== 'zstd-delta') continue;
      entries.push({ hash: b.hash, size: b.size, encoding: 'zstd-delta', bases: enc.bases!, body: enc.body });
      sent.add(b.hash);
    }
  }
  for (const pack of packsOfEntries(entries)) {
    const body = encodeEntryPack(pack);
    try {
      await api.putPackEntries(body);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 405 || err.code === 'invalid_encoding'))) throw err;
      for (const e of pack) sent.delete(e.hash); // the ordinary pack takes them
      continue;
    }
    if (stats) {
      stats.blockWireBytesSent += body.byteLength;
      stats.deltasSent += pack.length;
    }
  }
  return sent;
}

/** Entries grouped under MAX_PACK_BYTES of plaintext each (their bodies are smaller still). */
function packsOfEntries(entries: PackEntryOnWire[]): PackEntryOnWire[][] {
  const packs: PackEntryOnWire[][] = [];
  let size = 0;
  for (const e of entries) {
    if (packs.length === 0 || size + e.size > MAX_PACK_BYTES || packs.at(-1)!.length >= MAX_PACK_BLOCKS) {
      packs.push([]);
      size = 0;
    }
    packs.at(-1)!.push(e);
    size += e.size;
  }
  return packs;
}
