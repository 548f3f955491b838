/**
 * Moves and renames, replayed as moves on the other side (no re-upload, no re-download).
 *
 * Remote: a base entry's file id now sits at another remote path; the local item there (whatever
 * it holds now: an edit made meanwhile travels with it) is moved to the new path, and its base
 * goes along unchanged, so the per-path comparison afterwards sees any content change on either
 * side as what it is. Local: a base path vanished and a new path holds the same inode (a rename
 * keeps it), or for a file, failing that, the same content hash (a copy and a delete); the server
 * moves the entry by id — the entry itself, wherever it is now — and the base keeps the revision
 * this device last agreed on, so an edit made elsewhere meanwhile is downloaded, not overwritten.
 */
import { isReadOnly } from './read-only.js';
import { ApiError } from '../api/errors.js';
import { ensureRemoteDir, localHash } from './actions.js';
import type { SyncContext } from './context.js';
import { catchUp } from './follower.js';
import { byDepth, parentOf } from './local-fs.js';
import { absOf } from './remote.js';
import type { LocalTree } from './scanner.js';

/** Replay remote moves locally; true when anything moved (the caller scans again). */
export async function applyRemoteMoves(ctx: SyncContext): Promise<boolean> {
  const tried = new Set<string>();
  let moved = false;
  for (;;) {
    // Filtered before sorting: a pass over a big tree usually finds no move at all.
    const next = ctx.state
      .entries()
      .filter(([p, b]) => {
        if (tried.has(p)) return false;
        const q = ctx.remote.pathOf(b.fileId);
        return q !== undefined && q !== p && !ctx.state.get(q) && !ctx.ignore.ignoredPath(q, b.isDir);
      })
      .map(([p]) => p)
      .sort(byDepth)[0];
    if (next === undefined) return moved;
    tried.add(next);
    const p = next;
    const b = ctx.state.get(p)!;
    const q = ctx.remote.pathOf(b.fileId)!;
    const l = await ctx.fs.lstat(p);
    if (!l) {
      // Moved here already by a run that crashed before recording it?
      const lq = await ctx.fs.lstat(q);
      if (lq && lq.ino === b.ino && (lq.kind === 'dir') === b.isDir) {
        ctx.state.renamePrefix(p, q);
        await ctx.state.save();
        moved = true;
      }
      continue;
    }
    if ((l.kind === 'dir') !== b.isDir) continue; // replaced by another kind here: the pass decides
    if (!(await ctx.local.move(p, q))) continue; // the new name is taken here: the pass decides
    ctx.state.renamePrefix(p, q);
    await ctx.state.save();
    ctx.log(`moved locally ${p} -> ${q}`);
    moved = true;
  }
}

/** Replay local moves remotely (POST /move by id); true when anything moved. */
export async function applyLocalMoves(ctx: SyncContext, local: LocalTree): Promise<boolean> {
  const tried = new Set<string>();
  let moved = false;
  for (;;) {
    const found = await findLocalMove(ctx, local, tried);
    if (!found) return moved;
    const [p, q] = found;
    tried.add(q);
    const b = ctx.state.get(p)!;
    if (isReadOnly(ctx, p) || isReadOnly(ctx, q)) continue; // view-only: a delete and a new file, each handled as such
    if (!(await ensureRemoteDir(ctx, parentOf(q)))) continue;
    try {
      await ctx.api.move({ id: b.fileId }, absOf(ctx.remoteRoot, q));
    } catch (err) {
      // Gone remotely, or the name is taken there: no move; the pass uploads q as new.
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) {
        await catchUp(ctx);
        continue;
      }
      throw err;
    }
    await catchUp(ctx);
    ctx.state.renamePrefix(p, q);
    await ctx.state.save();
    ctx.log(`moved remotely ${p} -> ${q}`);
    moved = true;
  }
}

/** The first (parents first) new local path that is a vanished base path moved, as [from, to]. */
async function findLocalMove(ctx: SyncContext, local: LocalTree, tried: Set<string>): Promise<[string, string] | undefined> {
  const vanished = new Map<number, string>();
  for (const [p, b] of ctx.state.entries()) {
    if (local.has(p) || ctx.ignore.ignoredPath(p, b.isDir) || ctx.remote.pathOf(b.fileId) === undefined) continue;
    vanished.set(b.ino, p);
  }
  if (vanished.size === 0) return undefined;
  const newcomers = [...local.keys()].filter((q) => !ctx.state.get(q) && !tried.has(q)).sort(byDepth);
  let hashes: Map<string, string> | undefined;
  for (const q of newcomers) {
    const l = local.get(q)!;
    const p = vanished.get(l.ino);
    if (p !== undefined && ctx.state.get(p)!.isDir === (l.kind === 'dir')) return [p, q];
    if (l.kind !== 'file') continue;
    // A copy and a delete (another file system, some tools): the same bytes as a vanished file.
    for (const v of vanished.values()) {
      const b = ctx.state.get(v)!;
      if (b.isDir || b.size !== l.size || !b.contentHash) continue;
      hashes ??= new Map();
      if (!hashes.has(q)) hashes.set(q, (await localHash(ctx, q))?.hash ?? '');
      if (hashes.get(q) === b.contentHash) return [v, q];
    }
  }
  return undefined;
}
