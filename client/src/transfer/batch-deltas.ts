/**
 * Small files' edits as deltas (issue 21): in a batch (batch-upload.ts), a changed file's new
 * block goes as a zstd delta against its previous version's blocks when this device still has
 * their plaintext (block-cache.ts) — a version string changed in a 300 KB JSON file costs a few
 * dozen bytes instead of the whole file compressed. The previous versions' block lists come from the
 * cache (kept under their content hashes), the others in one request for the batch (POST
 * /revisions/blocks/batch); the deltas in entry packs (POST
 * /blocks/pack/entries). Whatever cannot go as a delta is left to the batch's ordinary pack.
 */
import { DELTA_DICTIONARY_BYTES, MAX_DELTA_BASES, MAX_PACK_BLOCKS, MAX_PACK_BYTES, entryPackBytes, usableDeltaBase, type BlockRef, type PackEntryOnWire } from '@coffer/protocol';
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
  baseContentHash?: string | undefined;
}

/** Keep every block of the batch (sent or not), and each file's block list, as the bases of its next edit. */
export async function rememberBatch(cache: BlockCache, items: readonly BatchFile[]): Promise<void> {
  for (const it of items) {
    for (const [i, b] of it.read.blocks.entries()) await cache.put(b.hash, it.read.bytes[i]!);
    await cache.putList?.(it.read.blocks);
  }
}

type ListAnswer = { ok: true; blocks: { blocks: readonly BlockRef[] } } | { ok: false };

/** The previous versions' block lists: from the cache where it has them, the rest in one request (none when it has all). */
async function previousLists(api: DeltaBatchApi, cache: BlockCache, prior: readonly BatchFile[]): Promise<ListAnswer[]> {
  const lists: (ListAnswer | undefined)[] = [];
  for (const it of prior) {
    const blocks = it.baseContentHash ? await cache.getList?.(it.baseContentHash) : undefined;
    lists.push(blocks ? { ok: true, blocks: { blocks } } : undefined);
  }
  const ask = prior.filter((_, i) => !lists[i]);
  if (ask.length > 0) {
    const got = await api.blockLists!(ask.map((it) => ({ id: it.commit.fileId!, rev: it.commit.baseRev! })));
    let k = 0;
    for (let i = 0; i < lists.length; i++) lists[i] ??= got[k++] ?? { ok: false };
  }
  return lists as ListAnswer[];
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
    lists = await previousLists(api, cache, prior);
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
    try {
      await api.putPackEntries(pack);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 405 || err.code === 'invalid_encoding' || err.code === 'invalid_pack'))) throw err;
      for (const e of pack) sent.delete(e.hash); // the ordinary pack takes them
      continue;
    }
    if (stats) {
      stats.blockWireBytesSent += entryPackBytes(pack, 'lean');
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
