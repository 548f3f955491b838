/**
 * The batch operations (issue 20) applied at one instant, as the server applies them:
 *
 * - a pack (blocks/pack-parse.ts, the server's own reader): every entry parsed and verified before anything is stored (400
 *   `invalid_pack`, `hash_mismatch`: nothing stored), then each block stored as PUT stores it;
 *   the compressed pack (routes/blocks.ts putPackEncoded) decoded first (400 `invalid_encoding`);
 * - a batch commit (uploads/batch-commit.ts): each file's early refusals first (its target, its
 *   rule when onConflict is 'fail', its block list), then ONE transaction: the plain new files
 *   first, in order (files/first-versions.ts: declined when the name was taken meanwhile, by an
 *   earlier file of the batch), then every other file in order on the general path, each failing
 *   alone. Each commit is its own journal entry, exactly as a single commit writes it;
 * - block lists by id (files/block-lists.ts): trashed files' too, a refusal per file as GET
 *   /revisions/blocks gives it;
 * - fetched blocks (blocks/fetch.ts): the readable ones, each once in the order first asked, the
 *   rest simply left out; 413 `fetch_too_large` past MAX_FETCH_BYTES.
 */
import { zstdDecompressSync, constants as zlib } from 'node:zlib';
import { MAX_DELTA_WINDOW_LOG, MAX_FETCH_BYTES, MAX_PACK_BYTES, type BatchCommitResult, type BlockListResult, type PackStored } from '@coffer/protocol';
import { BadRequestError, ConflictError, HttpError, NotFoundError, checkFileSize, checkRule, parsePack, type CommitRule } from '@coffer/server/rules';
import { applyCommit, checkBlockList, type CommitRequest } from './model-commit.js';
import { entryById, resolveTarget, type UploadTarget } from './model-resolve.js';
import type { Caller, ModelState } from './model-state.js';

/** POST /blocks/pack: verify every entry, then store the blocks not held. */
export function storePack(s: ModelState, body: Uint8Array): PackStored {
  const data = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (data.byteLength > MAX_PACK_BYTES) throw new HttpError(413, 'payload_too_large', `a pack may be at most ${MAX_PACK_BYTES} bytes`, { details: { maxBytes: MAX_PACK_BYTES } });
  const entries = parsePack(data);
  let stored = 0;
  for (const e of entries) if (s.blocks.put(e.hash, e.bytes).stored) stored++;
  return { blocks: entries.length, stored, bytes: entries.reduce((n, e) => n + e.bytes.byteLength, 0) };
}

/** POST /blocks/pack/encoded?encoding=zstd: the pack decoded into at most MAX_PACK_BYTES, then stored. */
export function storeEncodedPack(s: ModelState, body: Uint8Array): PackStored {
  let pack: Buffer;
  try {
    pack = zstdDecompressSync(body, { maxOutputLength: MAX_PACK_BYTES, params: { [zlib.ZSTD_d_windowLogMax]: MAX_DELTA_WINDOW_LOG } });
  } catch (err) {
    const why = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? `it is larger than MAX_PACK_BYTES (${MAX_PACK_BYTES})` : ((err as Error).message ?? 'corrupt');
    throw new BadRequestError(`the encoded block does not decode: ${why}; nothing was stored`, { code: 'invalid_encoding' });
  }
  return storePack(s, pack);
}

/** POST /files/commit/batch: an answer per file, in order; the commits as one transaction. */
export function commitBatch(s: ModelState, who: Caller, list: readonly CommitRequest[]): BatchCommitResult[] {
  const out: (BatchCommitResult | undefined)[] = list.map(() => undefined);
  const ready: { i: number; plain: boolean; target: UploadTarget }[] = [];
  for (const [i, c] of list.entries()) {
    try {
      checkFileSize(c.size);
      const target = resolveTarget(s.tree, c.path);
      if ((c.onConflict ?? 'fail') === 'fail') checkRule(target.existing, ruleOf(c));
      checkBlockList(s, c.blocks, c.size);
      ready.push({ i, target, plain: !target.existing && c.fileId === undefined && (c.baseRev ?? 0) === 0 });
    } catch (err) {
      out[i] = failure(err);
    }
  }
  // The transaction: plain new files first (declined when their name is taken by now), then the rest in order.
  for (const r of ready) {
    if (!r.plain) continue;
    const target = inTransaction(s, r.target);
    if (target.existing) continue;
    out[r.i] = { ok: true, file: applyCommit(s, who, list[r.i]!, target) };
  }
  for (const r of ready) {
    if (out[r.i]) continue;
    try {
      out[r.i] = { ok: true, file: applyCommit(s, who, list[r.i]!, inTransaction(s, r.target)) };
    } catch (err) {
      out[r.i] = failure(err);
    }
  }
  return out.map((o) => o!);
}

/** The target resolved before the transaction (its path and name as then, in the answer and a copy's name), with the entry at its name now. */
function inTransaction(s: ModelState, early: UploadTarget): UploadTarget {
  const existing = s.tree.child(early.parentId, early.name);
  return { parentId: early.parentId, name: early.name, path: early.path, ...(existing ? { existing } : {}) };
}

function ruleOf(c: CommitRequest): CommitRule {
  return { baseRev: c.baseRev, overwrite: false, ...(c.fileId !== undefined ? { fileId: c.fileId } : {}) };
}

/** A file's own refusal as the batch answers it; anything else is a bug and fails the whole call. */
function failure(err: unknown): BatchCommitResult {
  if (!(err instanceof HttpError)) throw err;
  return { ok: false, error: { status: err.status, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
}

/** POST /revisions/blocks/batch: each file's block list by id (trashed ones too), or its refusal. */
export function blockLists(s: ModelState, asks: readonly { id: string; rev?: number }[]): BlockListResult[] {
  return asks.map((a) => {
    try {
      const row = entryById(s.tree, a.id);
      if (row.isDir) throw new ConflictError('a folder has no content to download', { code: 'is_folder' });
      if (a.rev === undefined && row.rev === 0) throw new NotFoundError('the file is still uploading: it has no content yet', { code: 'no_content' });
      const v = s.versions.get(row.id)?.find((x) => x.rev === (a.rev ?? row.rev));
      if (!v) throw new NotFoundError(`the file has no revision ${a.rev}`, { code: 'no_revision' });
      const blocks = { rev: v.rev, size: v.size, contentHash: v.contentHash, blocks: v.blocks.map((b) => ({ hash: b.hash, size: b.size })) };
      return { ok: true as const, blocks, ...(v.rev === row.rev ? { modifiedAt: row.modifiedAt.toISOString() } : {}) };
    } catch (err) {
      const f = failure(err);
      if (f.ok) throw new Error('unreachable');
      return f;
    }
  });
}

/** POST /blocks/fetch: the readable blocks among `hashes`, each once, in the order first asked. */
export function fetchBlocks(s: ModelState, hashes: readonly string[]): { hash: string; bytes: Uint8Array }[] {
  const out = [...new Set(hashes)].flatMap((hash) => (s.blocks.readable(hash) ? [{ hash, bytes: s.blocks.read(hash) }] : []));
  const bytes = out.reduce((n, b) => n + b.bytes.byteLength, 0);
  if (bytes > MAX_FETCH_BYTES) {
    throw new HttpError(413, 'fetch_too_large', `the blocks asked for add up to ${bytes} bytes, more than ${MAX_FETCH_BYTES}: ask for fewer at a time`, { details: { maxBytes: MAX_FETCH_BYTES } });
  }
  return out;
}
