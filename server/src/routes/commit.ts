/** POST /files/commit — a sync client's new version from blocks already uploaded (uploads/delta-commit.ts); POST /files/commit/batch — many (uploads/batch-commit.ts), optionally with their blocks inline (a pack). */
import type { Hono } from 'hono';
import { operations as ops, prefersMinimal, type BatchCommitItem, type CommitBlockList, type CommitBrief, type CommitRequest } from '@coffer/protocol';
import type { z } from 'zod';
import type { AppEnv } from '../auth/context.js';
import { keptLists } from '../blocks/kept-lists.js';
import { storePack } from '../blocks/pack.js';
import { parsePack } from '../blocks/pack-parse.js';
import type { AppDeps } from '../deps.js';
import { fileView } from '../files/view.js';
import { BadRequestError, ConflictError, batchItemError } from '../http-errors.js';
import { operationRouter } from '../http/operation.js';
import { commitBatch } from '../uploads/batch-commit.js';
import type { CommittedUpload } from '../uploads/commit.js';
import { commitSync, type SyncCommit } from '../uploads/delta-commit.js';

export function commitRoutes(deps: AppDeps): Hono<AppEnv> {
  const r = operationRouter(deps);

  r.mount(ops.commitFromBlocks, async ({ body, user }, c) => {
    const out = await commitSync(deps, user, syncCommitOf({ ...body, blocks: body.blocks ?? keptBlocks(user.namespaceId, body.blockList!) }));
    return { status: 201, body: prefersMinimal(c.req.header('prefer')) ? commitBrief(out) : commitAnswer(out) };
  });

  const blockPut = { db: deps.db, storage: deps.storage, reservationMs: deps.config.jobs.gcGraceMs };
  r.mount(ops.commitBatch, async ({ body, user }, c) => {
    // Issue 21: a few small files' blocks with their commit (one round trip instead of three);
    // verified whole (400, nothing stored or committed) and stored as POST /blocks/pack stores them.
    if (body.pack !== undefined) await storePack(blockPut, user.namespaceId, parsePack(Buffer.from(body.pack, 'base64')));
    const outcomes = await commitBatch(deps, user, body.files.map(syncCommitOf));
    const answer = prefersMinimal(c.req.header('prefer')) ? commitBrief : commitAnswer;
    const results = outcomes.map((o) =>
      o.ok
        ? { ok: true as const, file: answer(o.committed) }
        : { ok: false as const, error: batchItemError(o.error) },
    );
    return { status: 200, body: { results } };
  });

  return r.router;
}

type CommitBody = z.output<typeof CommitRequest> | z.output<typeof BatchCommitItem>;

/** The blocks a kept question names (kept-lists.ts), with the sizes the commit gives: 409 when it is gone, 400 when the sizes do not fit it. */
function keptBlocks(namespaceId: string, list: z.output<typeof CommitBlockList>): { hash: string; size: number }[] {
  const hashes = keptLists.find(namespaceId, list.id);
  if (!hashes) throw new ConflictError('the kept block list is gone (forgotten, or kept by another server process): send the blocks', { code: 'block_list_unknown' });
  if (hashes.length !== list.sizes.length) {
    throw new BadRequestError(`the kept block list has ${hashes.length} blocks, the commit gives ${list.sizes.length} sizes`, { code: 'block_list_mismatch', details: { blocks: hashes.length, sizes: list.sizes.length } });
  }
  return hashes.map((hash, i) => ({ hash, size: list.sizes[i]! }));
}

function syncCommitOf(body: CommitBody): SyncCommit {
  return {
    path: body.path,
    size: body.size,
    blocks: body.blocks,
    baseRev: body.baseRev,
    ...(body.fileId !== undefined ? { fileId: body.fileId } : {}),
    overwrite: body.overwrite ?? false,
    onConflict: body.onConflict ?? 'fail',
    ...(body.mtime !== undefined ? { mtime: new Date(body.mtime) } : {}),
  };
}

function commitAnswer(out: CommittedUpload) {
  return { ...fileView(out.row, out.path), conflict: out.conflict !== undefined, ...(out.conflict ?? {}) };
}

/** `Prefer: return=minimal`: what a sync client records of a commit (issue 21: ~250 bytes less a file). */
function commitBrief(out: CommittedUpload): CommitBrief {
  const { id, path, rev, size, modifiedAt, conflict, original } = commitAnswer(out);
  return { id, path, rev, size, modifiedAt, conflict, ...(original ? { original } : {}) };
}
