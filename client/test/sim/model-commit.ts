/**
 * A sync client's commit (server/src/sync/commit.ts) applied at one instant: the same refusals in
 * the same order, the first commit on a base revision wins, a lost race (stale revision, a name
 * taken first, another entry than `fileId` at the path) is 409 or — with onConflict 'copy' — a
 * conflicted copy named exactly as the server names it.
 */
import { contentHash, MAX_CHANGE_BLOCKS, type BlockRef, type CommitAnswer, type CommitRequest } from '@coffer/protocol';
import { BadRequestError, ConflictError, checkFileSize, checkRule, conflictedCopyName, fileView, uniqueName, type CommitRule, type FileRow } from '@coffer/server/rules';
import { sha256Hex } from '../../src/transfer/blocks.js';
import { resolveTarget, type UploadTarget } from './model-resolve.js';
import type { Caller, ModelState } from './model-state.js';

export type { CommitAnswer, CommitRequest };

interface Content {
  blocks: readonly BlockRef[];
  size: number;
  contentHash: string;
  mtime?: Date;
}

export function commitSync(s: ModelState, who: Caller, c: CommitRequest): CommitAnswer {
  checkFileSize(c.size);
  const target = resolveTarget(s.tree, c.path);
  if ((c.onConflict ?? 'fail') === 'fail') checkRule(target.existing, ruleOf(c));
  checkBlockList(s, c.blocks, c.size);
  return applyCommit(s, who, c, target);
}

function ruleOf(c: CommitRequest): CommitRule {
  return { baseRev: c.baseRev, overwrite: false, ...(c.fileId !== undefined ? { fileId: c.fileId } : {}) };
}

/** The commit inside the server's transaction, its early refusals passed (a batch's files each take this in turn). */
export function applyCommit(s: ModelState, who: Caller, c: CommitRequest, target: UploadTarget): CommitAnswer {
  const content: Content = { blocks: c.blocks, size: c.size, contentHash: contentHash(c.blocks, sha256Hex), ...(c.mtime !== undefined ? { mtime: new Date(c.mtime) } : {}) };
  try {
    // The server checks the same rule again inside its transaction (commitVersion, and the entry named by fileId).
    checkRule(target.existing, ruleOf(c));
  } catch (err) {
    if ((c.onConflict ?? 'fail') !== 'copy' || !lostRace(err)) throw err;
    return commitCopy(s, who, target, content);
  }
  const row = target.existing ?? s.tree.create(target.parentId, target.name, false, s.at());
  commitVersion(s, who, row, content);
  return { ...fileView(row, target.path), conflict: false };
}

/** A stale base revision, a new file whose name was taken first, or another entry at the path. */
function lostRace(err: unknown): boolean {
  return err instanceof ConflictError && (err.code === 'stale_revision' || err.code === 'exists');
}

/** The block list must add up to the size, and the account must hold each block at the listed size (sync/block-list.ts). */
export function checkBlockList(s: ModelState, list: readonly BlockRef[], size: number): void {
  const sum = list.reduce((n, b) => n + b.size, 0);
  if (sum !== size) {
    throw new BadRequestError(`the blocks add up to ${sum} bytes, not the ${size} declared`, { code: 'size_mismatch', details: { size, blocksSize: sum } });
  }
  const missing = [...new Set(list.filter((b) => !s.blocks.has(b.hash)).map((b) => b.hash))];
  if (missing.length > 0) {
    throw new BadRequestError(`${missing.length} of the blocks are not on the server; upload them first`, { code: 'missing_blocks', details: { missing } });
  }
  for (const b of list) {
    const actual = s.blocks.size(b.hash)!;
    if (actual !== b.size) {
      throw new BadRequestError(`block ${b.hash} is ${actual} bytes, not ${b.size}`, { code: 'block_size_mismatch', details: { hash: b.hash, size: b.size, actual } });
    }
  }
}

/** The loser's content as `name (conflicted copy from DEVICE DAY).ext` beside the name it was meant for. */
function commitCopy(s: ModelState, who: Caller, target: UploadTarget, content: Content): CommitAnswer {
  const original = s.tree.child(target.parentId, target.name);
  const at = s.at();
  const wanted = conflictedCopyName(target.name, who.deviceName, at);
  const name = uniqueName(wanted, (key) => s.tree.childByKey(target.parentId, key) !== undefined);
  const row = s.tree.create(target.parentId, name, false, at);
  commitVersion(s, who, row, content);
  const path = target.path.slice(0, target.path.lastIndexOf('/') + 1) + row.name;
  return { ...fileView(row, path), conflict: true, original: { id: original?.id ?? null, path: target.path, rev: original?.rev ?? 0 } };
}

/** The file's next revision (files/versions.ts commitVersion), journaled 'create' for the first, 'update' after. */
function commitVersion(s: ModelState, who: Caller, row: FileRow, content: Content): void {
  const at = s.at();
  const rev = row.rev + 1;
  const version = { id: s.ids.next(), fileId: row.id, rev, size: content.size, contentHash: content.contentHash, blocks: [...content.blocks], deviceId: who.deviceId, at };
  s.versions.set(row.id, [...(s.versions.get(row.id) ?? []), version]);
  Object.assign(row, { headVersionId: version.id, rev, size: content.size, contentHash: content.contentHash, pending: false, modifiedAt: at });
  s.journal.append(
    {
      fileId: row.id,
      op: rev === 1 ? 'create' : 'update',
      rev,
      deviceId: who.deviceId,
      payload: {
        name: row.name,
        parentId: row.parentId,
        size: content.size,
        contentHash: content.contentHash,
        // A small version's block list, with the entry's modifiedAt (the server's files/journal.ts versionPayload).
        ...(content.blocks.length <= MAX_CHANGE_BLOCKS ? { blocks: content.blocks.map((b) => ({ hash: b.hash, size: b.size })), modifiedAt: (content.mtime ?? at).toISOString() } : {}),
      },
    },
    at,
  );
  // The device's modification time is kept as the entry's (after the journal row, as the server does).
  if (content.mtime) row.modifiedAt = content.mtime;
}
