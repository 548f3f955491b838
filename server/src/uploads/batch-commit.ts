/**
 * A batch of sync commits (`POST /files/commit/batch`, issue 20): many files from blocks already
 * uploaded, committed in ONE transaction, each file still succeeding or failing on its own.
 *
 * Outside the transaction (reads only): one block lookup for every file's list, then each file's
 * target and rule — the early refusals `POST /files/commit` gives (bad name, no folder, stale
 * revision, missing blocks). Inside it: the folders are share-locked together (in id order, so two
 * batches never wait on each other's folders), then the existing entries it writes are locked (in id
 * order, before the quota row: the order of a single commit, so the two never deadlock), the plain
 * new files commit in one statement (files/first-versions.ts), the plain new revisions of existing
 * files in another (files/next-versions.ts), and every other file — or one that statement declined — takes the
 * general commit path in a savepoint of its own, so its failure (a conflict, over quota) undoes
 * it alone. Nothing is answered before the transaction commits: an acknowledged file is durable,
 * and a crash before that leaves none of the batch visible.
 */
import type { AuthUser } from '../auth/context.js';
import { heldBlocks } from '../blocks/lookup.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/open.js';
import { commitNewFiles, type BatchNewFile } from '../files/first-versions.js';
import { commitNewVersions, type BatchNextVersion } from '../files/next-versions.js';
import { walkPaths } from '../files/walk-many.js';
import { parsePath } from '../names.js';
import { HttpError } from '../http-errors.js';
import { ownsNamespace } from '../notifications/notify-owner.js';
import { hasShares, noteActivity } from '../sharing/activity.js';
import { listedBlocks } from './block-list.js';
import { commitUpload, type CommittedUpload, type PathCommit } from './commit.js';
import { contentHashOf } from './content-hash.js';
import type { SyncCommit } from './delta-commit.js';
import { lockUploadEntries, lockUploadFolders, uploadTarget } from './target.js';

export type BatchOutcome = { ok: true; committed: CommittedUpload } | { ok: false; error: HttpError };

export async function commitBatch(deps: Pick<AppDeps, 'db' | 'storage'>, user: AuthUser, list: readonly SyncCommit[]): Promise<BatchOutcome[]> {
  const { db } = deps;
  const out: (BatchOutcome | undefined)[] = list.map(() => undefined);
  const held = await heldBlocks(db, deps.storage, user.namespaceId, [...new Set(list.flatMap((c) => c.blocks.map((b) => b.hash)))]);
  const ready: { i: number; commit: PathCommit }[] = [];
  // Every path walked in two statements (a path that does not parse is refused by uploadTarget below).
  const walks = await walkPaths(db, user.namespaceId, list.map((c) => segmentsOr(c.path)));
  for (const [i, c] of list.entries()) {
    try {
      const target = await uploadTarget(db, user, c.path, c.size, c.onConflict === 'fail' ? c : undefined, walks[i]);
      const blocks = listedBlocks(held, c.blocks, c.size);
      const content = { blocks, size: c.size, contentHash: contentHashOf(c.blocks), mtime: c.mtime };
      ready.push({ i, commit: { user, target, content, rule: c, onConflict: c.onConflict } });
    } catch (err) {
      out[i] = failure(err);
    }
  }
  if (ready.length > 0) {
    const outcomes = await commitResolved(db, user, ready.map((r) => r.commit));
    for (const [k, r] of ready.entries()) out[r.i] = outcomes[k];
  }
  return out.map((o) => o!);
}

/**
 * The transaction of a batch: files whose targets and contents are resolved already (the route's
 * files above; `coffer-admin import`'s, whose blocks the engine stored there and then), all the
 * caller's, committed together, each succeeding or failing on its own. An outcome per file, in order; a failure that
 * is not a file's own (the database) throws and commits none of them.
 */
export async function commitResolved(db: Db, user: AuthUser, commits: readonly PathCommit[]): Promise<BatchOutcome[]> {
  const out: (BatchOutcome | undefined)[] = commits.map(() => undefined);
  if (commits.length === 0) return [];
  await db.transaction(async (tx) => {
    await lockUploadFolders(tx, commits.map((c) => c.target.parentId));
    // Folders, then entries, then the quota row (below): the order a single commit takes them in.
    await lockUploadEntries(tx, commits.map((c) => c.rule.fileId ?? c.target.existing?.id));
    const plain = [...commits.entries()].filter(([, c]) => isPlain(c));
    const rows = await commitNewFiles(tx, plain.map(([, c]) => newFileOf(c)));
    const fresh = plain.flatMap(([i, c], k) => (rows[k] ? [{ i, row: rows[k], path: c.target.path }] : []));
    for (const f of fresh) out[f.i] = { ok: true, committed: { row: f.row, path: f.path } };
    // New revisions of existing entries, likewise in one statement (an entry named twice takes the general path, in order).
    const named = countBy(commits.map((c) => c.target.existing?.id));
    const edits = [...commits.entries()].filter(([, c]) => isPlainEdit(c) && named.get(c.target.existing!.id) === 1);
    const next = await commitNewVersions(tx, edits.map(([, c]) => nextVersionOf(c)));
    const edited = edits.flatMap(([i, c], k) => (next[k] ? [{ i, row: next[k], path: c.target.path }] : []));
    for (const f of edited) out[f.i] = { ok: true, committed: { row: f.row, path: f.path } };
    // The one-statement commits tell no one: members of a share the file landed in learn of it here.
    if (fresh.length + edited.length > 0 && (await hasShares(tx, user.namespaceId))) {
      for (const f of fresh) await noteActivity(tx, user, f.row, 'added', f.path);
      for (const f of edited) await noteActivity(tx, user, f.row, 'edited', f.path);
    }
    for (const [i, c] of commits.entries()) {
      if (out[i]) continue;
      try {
        const committed = await tx.transaction((sp) => commitUpload(sp, { ...c, firstVersionTried: true }));
        out[i] = { ok: true, committed };
      } catch (err) {
        out[i] = failure(err);
      }
    }
  });
  return out.map((o) => o!);
}

/** What commitUpload's one-statement first commit takes (uploads/commit.ts commitFirstVersion), a device mtime allowed. */
function isPlain(c: PathCommit): boolean {
  return !c.target.existing && c.rule.fileId === undefined && (c.rule.overwrite || (c.rule.baseRev ?? 0) === 0) && ownsNamespace(c.user, c.target.namespaceId);
}

/** What the one-statement revision commit takes (files/next-versions.ts): the owner's own file, its rule met by the revision read. */
function isPlainEdit(c: PathCommit): boolean {
  const e = c.target.existing;
  // rev 0 (no version yet): its commit is a first one ('create'), the general path's.
  if (!e || e.isDir || e.rev < 1 || c.pendingId !== undefined || c.reservation !== undefined || !ownsNamespace(c.user, c.target.namespaceId)) return false;
  // A commit that asked for a conflicted copy was not checked against its rule before (commitBatch): it is here.
  if (c.rule.fileId !== undefined && c.rule.fileId !== e.id) return false;
  return c.rule.overwrite || (c.rule.baseRev ?? 0) === e.rev;
}

function nextVersionOf(c: PathCommit): BatchNextVersion {
  return {
    existing: c.target.existing!,
    blocks: c.content.blocks,
    size: c.content.size,
    contentHash: c.content.contentHash,
    authorId: c.user.id,
    deviceId: c.deviceId !== undefined ? c.deviceId : (c.user.deviceId ?? null),
    ...(c.content.mtime ? { modifiedAt: c.content.mtime } : {}),
  };
}

function countBy(keys: readonly (string | undefined)[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const k of keys) if (k !== undefined) n.set(k, (n.get(k) ?? 0) + 1);
  return n;
}

function newFileOf(c: PathCommit): BatchNewFile {
  return {
    blocks: c.content.blocks,
    size: c.content.size,
    contentHash: c.content.contentHash,
    authorId: c.user.id,
    deviceId: c.user.deviceId ?? null,
    namespaceId: c.target.namespaceId,
    parentId: c.target.parentId,
    name: c.target.name,
    ...(c.content.mtime ? { modifiedAt: c.content.mtime } : {}),
  };
}

function segmentsOr(path: string): string[] {
  try {
    return parsePath(path);
  } catch {
    return [];
  }
}

/** A file's own refusal; anything else (the database, a bug) fails the whole batch. */
function failure(err: unknown): BatchOutcome {
  if (err instanceof HttpError) return { ok: false, error: err };
  throw err;
}

