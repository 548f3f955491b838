/**
 * Delta sync's block API (DESIGN §5): a client chunks locally, asks which hashes the server
 * lacks, uploads only those, then commits the version (routes/commit.ts). Blocks are named by
 * the SHA-256 of their plaintext; dedup and visibility are per namespace.
 */
import type { Hono } from 'hono';
import { BLOCK_ENCODING_HEADER, BLOCK_SIZE_HEADER, MAX_PACK_BYTES, missingBits, operations as ops, prefersMinimal } from '@coffer/protocol';
import { recycleBlock, releaseMemory } from '@coffer/storage-engine';
import type { AppEnv } from '../auth/context.js';
import { packLength, packStream, readableBlocks } from '../blocks/fetch.js';
import { missingHashes } from '../blocks/lookup.js';
import { readPackBody, storePackOf } from '../blocks/pack.js';
import { parsePack } from '../blocks/pack-parse.js';
import { decodeBlock, decodePack, deltaDictionary } from '../blocks/decode.js';
import { decodeEntries } from '../blocks/entry-pack.js';
import { rememberAnnounced } from '../blocks/held-uploads.js';
import { keptLists } from '../blocks/kept-lists.js';
import { encodeForDownload } from '../blocks/encode.js';
import { putBlock, readBlockBody, storeBlock } from '../blocks/put.js';
import { readableBlockKey } from '../blocks/readable.js';
import { contentLength } from '../content-length.js';
import type { AppDeps } from '../deps.js';
import { userContentHeaders } from '../downloads/user-content.js';
import { announceUploading } from '../sync/uploading.js';
import { uploadBody } from '../uploads/body.js';
import { ByteBudget } from '../http/byte-budget.js';
import { operationRouter } from '../http/operation.js';
import { releaseAllWhenSent, releaseWhenSent } from '../http/release-sent.js';

/**
 * The engine's bytes as an answer's body. What it reads is fresh memory of the caller's, sent as
 * it is (a copy was a second MiB per block left for V8 to free at its next collection for
 * external memory); only bytes in memory shared with its worker threads are copied.
 */
const answerBytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));

export function blockRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, storage } = deps;
  const r = operationRouter(deps);
  // A block stored for a later commit holds its quota reservation as long as GC would keep it unreferenced.
  const blockPut = { db, storage, reservationMs: deps.config.jobs.gcGraceMs };
  const budget = new ByteBudget(deps.config.packBudgetBytes);
  /** A pack request's work (its body read, decoded and stored) within the pack budget; a body of unknown length counts as the largest. */
  const withinBudget = <T>(c: { req: { header(name: string): string | undefined } }, fn: (declared: number | undefined) => Promise<T>): Promise<T> => {
    const declared = contentLength(c.req.header('content-length'));
    return budget.run(declared ?? MAX_PACK_BYTES, () => fn(declared));
  };

  r.mount(ops.missingBlocks, async ({ body, query, user }) => {
    const missing = await missingHashes(db, storage, user.namespaceId, body.hashes);
    const list = query.keep ? keptLists.keep(user.namespaceId, body.hashes.map((h) => h.toLowerCase())) : undefined;
    const kept = list === undefined ? {} : { list };
    return { status: 200, body: query.answer === 'bits' ? { missingBits: missingBits(body.hashes, new Set(missing)), ...kept } : { missing, ...kept } };
  });

  r.mount(ops.putBlock, async ({ params, user }, c) => {
    const result = await putBlock(blockPut, user.namespaceId, params.sha256, uploadBody(c), contentLength(c.req.header('content-length')));
    return result.stored ? { status: 201, body: result } : { status: 200, body: result };
  });

  // Issue 21: a block compressed, or a delta against a block the caller may read; stored whole as above.
  r.mount(ops.putBlockEncoded, async ({ params, query, user }, c) => {
    const body = await readBlockBody(uploadBody(c), contentLength(c.req.header('content-length')));
    const dictionary = query.base === undefined ? undefined : await deltaDictionary(db, storage, user, query.base);
    const data = await decodeBlock(body, query, dictionary);
    const result = await storeBlock(blockPut, user.namespaceId, params.sha256, data);
    // Stored (the engine keeps copies): freed now, not at V8's next collection for external memory.
    releaseMemory(body);
    releaseMemory(data);
    return result.stored ? { status: 201, body: result } : { status: 200, body: result };
  });

  r.mount(ops.putPack, async ({ user }, c) => withinBudget(c, async (declared) => {
    const data = await readPackBody(uploadBody(c), declared);
    return packAnswer(c, await storePackOf(blockPut, user.namespaceId, parsePack(data), [], data));
  }));

  r.mount(ops.fetchBlocks, async ({ body, user }, c) => {
    const list = await readableBlocks(db, storage, user, body.hashes);
    // Streamed: the answer is committed to 200 before the blocks are read, so a failed read
    // cuts the body short and the client, missing PACK_END, knows it.
    return c.body(packStream(storage, list, releaseAllWhenSent(c)), 200, {
      'Content-Length': String(packLength(list)),
      'Content-Type': 'application/octet-stream',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  });

  // Issue 21: the same pack, zstd-compressed whole (small files' blocks, mostly text, compress well together).
  r.mount(ops.putPackEncoded, async ({ user }, c) => withinBudget(c, async (declared) => {
    const body = await readPackBody(uploadBody(c), declared);
    const packed = await decodePack(body);
    releaseMemory(body);
    return packAnswer(c, await storePackOf(blockPut, user.namespaceId, parsePack(packed), [packed]));
  }));

  // Issue 21: a file's changed blocks in one request, each raw, zstd or a delta; all decoded and verified, then stored as a pack.
  r.mount(ops.putPackEntries, async ({ query, user }, c) => withinBudget(c, async (declared) => {
    const data = await readPackBody(uploadBody(c), declared);
    const entries = await decodeEntries(db, storage, user, data);
    const blocks = entries.map((e) => ({ hash: e.hash, size: e.bytes.byteLength })); // before storePackOf frees the bytes
    const stored = await storePackOf(blockPut, user.namespaceId, entries, entries.map((e) => e.bytes), data);
    // A big new file while it uploads: the user's other devices may fetch these blocks now.
    if (query.file !== undefined && query.offset !== undefined && query.size !== undefined) {
      // Before the event goes: the fetches it brings find the blocks remembered (held-uploads.ts).
      rememberAnnounced(storage, user.namespaceId, blocks, blockPut.reservationMs);
      await announceUploading(db, user.id, { path: query.file, size: query.size }, query.offset, blocks);
    }
    return packAnswer(c, stored);
  }));

  r.mount(ops.getBlock, async ({ params, user }, c) => {
    const hash = params.sha256;
    const key = await readableBlockKey(db, storage, user, hash);
    const etag = `"${hash}"`;
    // Content named by its hash never changes: a cached copy is good for as long as it is kept.
    const headers = { ETag: etag, 'Cache-Control': 'private, max-age=31536000, immutable' };
    if (c.req.header('if-none-match')?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return c.body(null, 304, headers);
    const bytes = answerBytes(await storage.blocks.get(key));
    releaseWhenSent(c, bytes);
    return c.body(bytes, 200, {
      ...headers,
      // A piece of a file is user content too: an attachment, never a document that could run.
      ...userContentHeaders(hash, { type: 'application/octet-stream' }),
      'Content-Length': String(bytes.byteLength),
    });
  });

  // Issue 21: the block for a download, as a delta against blocks the caller holds, compressed, or raw.
  r.mount(ops.getBlockEncoded, async ({ params, query, user }, c) => {
    const key = await readableBlockKey(db, storage, user, params.sha256);
    // The bases are checked before any work: each must be a block the caller may read (404 'base_not_found').
    const dictionary = query.base === undefined ? undefined : await deltaDictionary(db, storage, user, query.base);
    let enc: { encoding: string; body: Uint8Array };
    let size: number;
    if (dictionary) {
      const bytes = await storage.blocks.get(key);
      enc = await encodeForDownload(bytes, dictionary);
      size = bytes.byteLength;
      if (enc.body !== bytes && !recycleBlock(bytes)) releaseMemory(bytes);
    } else {
      // No delta asked: the block goes as it is stored — its zstd payload when it was stored
      // compressed (compressed once, at ingest), else raw (it did not compress then either).
      const stored = await storage.blocks.getStored(key);
      enc = 'zstd' in stored ? { encoding: 'zstd', body: stored.zstd } : { encoding: 'identity', body: stored.plain };
      size = stored.plainSize;
    }
    const body = answerBytes(enc.body);
    releaseWhenSent(c, body);
    return c.body(body, 200, {
      ...userContentHeaders(params.sha256, { type: 'application/octet-stream' }),
      'Cache-Control': 'no-store',
      [BLOCK_ENCODING_HEADER]: enc.encoding,
      [BLOCK_SIZE_HEADER]: String(size),
      'Content-Length': String(enc.body.byteLength),
    });
  });

  return r.router;
}

/** A stored pack's answer: its counts, or with `Prefer: return=minimal` (the sync agent, which reads nothing of it) 204 and no body — ~90 bytes less a pack (issue 21). */
function packAnswer<T>(c: { req: { header(name: string): string | undefined } }, stored: T): { status: 200; body: T } | { status: 204 } {
  return prefersMinimal(c.req.header('prefer')) ? { status: 204 } : { status: 200, body: stored };
}
