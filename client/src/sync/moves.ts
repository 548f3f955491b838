/**
 * Moves and renames, detected so that they are replayed as moves (no re-upload, no re-download).
 * Remote: a base entry's file id now sits at another remote path. Local: a path in the base
 * vanished and a new path has the same inode (and, for files, the same size and mtime: a
 * rename keeps them, while a reused inode of a new file rarely does), or failing that, for a
 * file, the same content hash as a vanished file.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import { ensureRemoteDir, localHash } from './actions.js';
import { depth, parentOf, type SyncContext } from './context.js';
import { absOf, fromView, renameTree } from './remote.js';
import type { LocalTree } from './scanner.js';
import type { BaseEntry } from './state.js';

const byDepth = (a: string, b: string) => depth(a) - depth(b) || (a < b ? -1 : 1);

/** Replay remote moves locally; true when anything moved (the caller scans again). */
export async function applyRemoteMoves(ctx: SyncContext, local: LocalTree): Promise<boolean> {
  const pathOfId = new Map<string, string>();
  for (const [k, v] of ctx.remote) pathOfId.set(v.id, k);
  let moved = false;
  for (const p of ctx.state.paths().sort(byDepth)) {
    const b = ctx.state.get(p);
    if (!b || ctx.remote.get(p)?.id === b.fileId) continue; // renamed with a parent already, or not moved
    const q = pathOfId.get(b.fileId);
    if (q === undefined || q === p || ctx.state.get(q) || ctx.ignore.ignoredPath(q, b.isDir)) continue;
    const l = local.get(p);
    if (!l || l.isDir !== b.isDir || local.has(q)) continue;
    // A file edited here meanwhile stays put: it is uploaded as new, and q is downloaded.
    if (!b.isDir && (l.size !== b.size || l.mtimeMs !== b.mtimeMs || l.ino !== b.ino)) continue;
    await mkdir(join(ctx.root, parentOf(q)), { recursive: true });
    await rename(join(ctx.root, p), join(ctx.root, q));
    ctx.state.renamePrefix(p, q);
    await ctx.state.save();
    ctx.log(`moved locally ${p} -> ${q}`);
    moved = true;
  }
  return moved;
}

/** Replay local moves remotely with POST /move; true when anything moved. */
export async function applyLocalMoves(ctx: SyncContext, local: LocalTree): Promise<boolean> {
  const vanished = new Map<number, string>();
  for (const p of ctx.state.paths()) {
    const b = ctx.state.get(p)!;
    if (!local.has(p) && ctx.remote.get(p)?.id === b.fileId) vanished.set(b.ino, p);
  }
  if (vanished.size === 0) return false;
  let moved = false;
  for (const q of [...local.keys()].sort(byDepth)) {
    const l = local.get(q)!;
    if (ctx.state.get(q) || ctx.remote.has(q)) continue;
    let p = vanished.get(l.ino);
    let b = p === undefined ? undefined : ctx.state.get(p);
    if (b && !b.isDir && (b.size !== l.size || b.mtimeMs !== l.mtimeMs)) b = undefined;
    // A copy and a delete (another filesystem, some tools): the same bytes as a vanished file.
    if ((!b || b.isDir !== l.isDir) && !l.isDir) [p, b] = await sameContent(ctx, q, l.size, vanished);
    if (p === undefined || !b || b.isDir !== l.isDir) continue;
    const parent = parentOf(q);
    if (parent) await ensureRemoteDir(ctx, parent);
    let v;
    try {
      v = await ctx.api.move(absOf(ctx.remoteRoot, p), absOf(ctx.remoteRoot, q));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) continue; // let the pass sort it out
      throw err;
    }
    renameTree(ctx.remote, p, q);
    ctx.remote.set(q, { ...fromView(v), contentHash: b.contentHash });
    ctx.state.renamePrefix(p, q);
    ctx.state.set(q, { ...b, rev: v.rev, ino: l.ino, mtimeMs: l.mtimeMs });
    await ctx.state.save();
    vanished.delete(b.ino);
    ctx.log(`moved remotely ${p} -> ${q}`);
    moved = true;
  }
  return moved;
}

/** A vanished file of this size whose recorded content hash equals the local file's (hashed only then). */
async function sameContent(ctx: SyncContext, q: string, size: number, vanished: Map<number, string>): Promise<[string | undefined, BaseEntry | undefined]> {
  let hash: string | undefined;
  for (const p of vanished.values()) {
    const b = ctx.state.get(p);
    if (!b || b.isDir || b.size !== size || !b.contentHash) continue;
    hash ??= await localHash(ctx, q);
    if (hash === b.contentHash) return [p, b];
  }
  return [undefined, undefined];
}
