/**
 * A pack of blocks (`POST /blocks/pack`, issue 20): many small blocks in one request. The body is
 * read whole (bounded by MAX_PACK_BYTES) and every entry parsed and verified against its hash
 * before anything is reserved or stored, so a malformed pack is 400 and changes nothing. Then
 * what PUT /blocks/{sha256} does per block is done for all at once: one lookup of what the
 * namespace holds, one statement reserving the new blocks' quota (all or none), and the new
 * blocks stored a few at a time.
 */
import { MAX_PACK_BYTES, type PackStored } from '@coffer/protocol';
import { releaseMemory } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import { pgTextArray, rawRows } from '../db/raw.js';
import { PayloadTooLargeError } from '../http-errors.js';
import { reserveBlocks } from '../quota/reservations.js';
import type { RequestBody } from '../uploads/body.js';
import { giveBodyBack, readWholeBody } from '../uploads/whole-body.js';
import { parsePack, type PackEntry } from './pack-parse.js';
import type { BlockPutDeps } from './put.js';


function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`a pack may be at most ${MAX_PACK_BYTES} bytes`, { details: { maxBytes: MAX_PACK_BYTES } });
}

/** A pack-sized request body, held whole (413 past MAX_PACK_BYTES). */
export function readPackBody(body: RequestBody, declaredLength: number | undefined): Promise<Buffer> {
  return readWholeBody(body, declaredLength, MAX_PACK_BYTES, tooLarge);
}

/** Store a verified pack's blocks: PUT /blocks/{sha256}'s rules (blocks/put.ts) for all of them at once. */
export async function storePack(deps: BlockPutDeps, namespaceId: string, entries: readonly PackEntry[]): Promise<PackStored> {
  const byKey = new Map<string, PackEntry>();
  for (const e of entries) byKey.set(deps.storage.blocks.keyFor(namespaceId, e.hash), e);
  const refcounts = await heldRefcounts(deps.db, [...byKey.keys()]);
  // In a committed version already: counted in the usage, nothing to reserve or store.
  const open = [...byKey].filter(([key]) => !((refcounts.get(key) ?? 0) > 0));
  await reserveBlocks(deps.db, {
    namespaceId,
    refs: open.map(([key]) => key),
    bytes: open.map(([, e]) => e.bytes.byteLength),
    expiresAt: new Date(Date.now() + deps.reservationMs),
  });
  const toStore = open.filter(([key]) => !refcounts.has(key)).map(([, e]) => e);
  // All at once: the whole pack (bounded by MAX_PACK_BYTES) is in memory already, so its blocks'
  // shards share each node's next pack write, and their metadata rows one statement (putMany)
  // instead of one per big block. parsePack verified each entry's hash: the engine need not again.
  const results = await deps.storage.blocks.putMany(namespaceId, toStore.map((e) => ({ chunk: e.bytes, sha256: Buffer.from(e.hash, 'hex') })));
  const stored = results.filter((r) => r.stored).length;
  return { blocks: entries.length, stored, bytes: entries.reduce((n, e) => n + e.bytes.byteLength, 0) };
}

/**
 * storePack, then the request's buffers (the body, what was decoded from it: the entries are
 * views of them or copies) freed at once instead of at V8's next collection for external memory,
 * ~64 MiB of them later (server/README.md, "Memory"); `body`, from readWholeBody, serves the next
 * request's body instead. Only once every store has settled: after a failure, the other stores
 * may still be reading them.
 */
export async function storePackOf(deps: BlockPutDeps, namespaceId: string, entries: readonly PackEntry[], buffers: readonly Uint8Array[], body?: Uint8Array): Promise<PackStored> {
  const stored = await storePack(deps, namespaceId, entries);
  // A view of the body freed on its own would free the body's whole memory.
  for (const b of buffers) if (b.buffer !== body?.buffer) releaseMemory(b);
  if (body) giveBodyBack(body);
  return stored;
}

/** The refcount of each of these stored keys the metadata has (absent: no such block). */
async function heldRefcounts(db: Db, keys: readonly string[]): Promise<Map<string, number>> {
  const held = new Map<string, number>();
  if (keys.length === 0) return held;
  // One array parameter, not drizzle's inArray (a parameter per key, costly in CPU).
  const rows = await rawRows(db, 'select key, refcount from blocks where key = any($1::text[])', [pgTextArray(keys)]);
  for (const r of rows) held.set(String(r.key), Number(r.refcount));
  return held;
}
