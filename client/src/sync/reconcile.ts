/**
 * One sync pass: a three-way comparison of the local tree, the remote picture and the base (the
 * last state both agreed on) for every path, in three phases: folders to create (parents first),
 * files, then folders to delete (children first). Each decision commits one step and records it.
 *
 * A side "changed" when it differs from the base: locally by inode/size/mtime (then confirmed by
 * content hash, so a touch or an editor's identical save is not an upload), remotely by id/rev.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deleteLocal, deleteRemote, download, ensureRemoteDir, localHash, localStat, record, upload } from './actions.js';
import { depth, type SyncContext } from './context.js';
import { IgnoreRules } from './ignore.js';
import { applyLocalMoves, applyRemoteMoves } from './moves.js';
import { scanLocal, type LocalEntry } from './scanner.js';
import type { BaseEntry } from './state.js';

/** A file modified this recently may still be being written: it waits for the next pass. */
const SETTLE_MS = 250;

export interface PassResult {
  /** Something is left to do (a file still being written, a step that needs the next pass). */
  again: boolean;
  collisions: string[];
}

export async function syncPass(ctx: SyncContext): Promise<PassResult> {
  ctx.ignore = await IgnoreRules.load(ctx.root); // cheap, and picks up an edited .cofferignore
  let scan = await scanLocal(ctx.root, ctx.ignore);
  if (await applyRemoteMoves(ctx, scan.tree)) scan = await scanLocal(ctx.root, ctx.ignore);
  if (await applyLocalMoves(ctx, scan.tree)) scan = await scanLocal(ctx.root, ctx.ignore);
  const local = scan.tree;
  const collided = new Set(scan.collisions.map((c) => c.toLowerCase()));
  let again = false;

  // Ignored paths are left alone on both sides, also ones synced before a rule was added.
  const all = new Set<string>(local.keys());
  for (const p of ctx.state.paths()) if (!ctx.ignore.ignoredPath(p, ctx.state.get(p)!.isDir)) all.add(p);
  for (const [k, r] of ctx.remote) if (!ctx.ignore.ignoredPath(k, r.isDir) && !collided.has(k.toLowerCase())) all.add(k);
  const paths = [...all].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));

  // Phase 1: folders that exist on one side only and are new there.
  for (const p of paths) {
    const l = local.get(p);
    const r = ctx.remote.get(p);
    const b = ctx.state.get(p);
    if (l?.isDir && r?.isDir) {
      if (!b || b.fileId !== r.id) await record(ctx, p, r, l);
    } else if (l?.isDir && !r && !b) {
      await record(ctx, p, await ensureRemoteDir(ctx, p), l);
      ctx.log(`created folder remotely ${p}`);
    } else if (r?.isDir && !l && !b) {
      await mkdir(join(ctx.root, p), { recursive: true });
      const made = (await localStat(ctx, p))!;
      local.set(p, made);
      await record(ctx, p, r, made);
      ctx.log(`created folder locally ${p}`);
    } else if (l && r && l.isDir !== r.isDir) {
      ctx.log(`skipped ${p}: a file on one side and a folder on the other`);
    }
  }

  // Phase 2: files.
  for (const p of paths) {
    const l = local.get(p);
    const r = ctx.remote.get(p);
    const b = ctx.state.get(p);
    if (l?.isDir || r?.isDir || (b?.isDir && !l && !r)) continue;
    if (l && r && l.isDir !== r.isDir) continue;
    if (l && Math.abs(Date.now() - l.mtimeMs) < SETTLE_MS) {
      again = true;
      continue;
    }
    if (!(await fileStep(ctx, p, l, r, b))) again = true;
  }

  // Phase 3: folders deleted on one side, deepest first (their files went in phase 2).
  for (const p of [...paths].reverse()) {
    const l = await localStat(ctx, p); // live: phases 1 and 2 changed the tree
    const r = ctx.remote.get(p);
    const b = ctx.state.get(p);
    if (!b?.isDir) continue;
    if (!l && !r) {
      ctx.state.delete(p);
      await ctx.state.save();
    } else if (l?.isDir && !r) {
      // Deleted remotely: gone here too unless something new was put in it meanwhile.
      if (!(await deleteLocal(ctx, p, true))) {
        ctx.state.delete(p);
        again = true;
      }
    } else if (r?.isDir && !l) {
      const busy = [...ctx.remote.keys()].some((k) => k.startsWith(p + '/'));
      if (!busy) await deleteRemote(ctx, p);
      else {
        ctx.state.delete(p); // new remote content inside: recreate the folder here next pass
        again = true;
      }
    }
  }
  await ctx.state.save();
  return { again, collisions: scan.collisions };
}

type Remote = ReturnType<SyncContext['remote']['get']>;

/** One file's decision; false when it must be looked at again. */
async function fileStep(ctx: SyncContext, p: string, l: LocalEntry | undefined, r: Remote, b: BaseEntry | undefined): Promise<boolean> {
  let localChanged = !!l && (!b || l.size !== b.size || l.mtimeMs !== b.mtimeMs || l.ino !== b.ino);
  const remoteChanged = !!r && (!b || r.id !== b.fileId || r.rev !== b.rev);
  if (r && r.rev === 0) return true; // a first upload elsewhere is in progress
  if (localChanged && l && b && r && !remoteChanged && l.size === b.size && (await localHash(ctx, p)) === b.contentHash) {
    await record(ctx, p, r, l); // touched or saved identically: nothing to send
    localChanged = false;
  }

  if (l && r) {
    if (!localChanged && !remoteChanged) return true;
    if (!localChanged) return download(ctx, p, l);
    if (!remoteChanged) return upload(ctx, p, b!.rev);
    // Both changed (or both new): equal content is agreement, else the server decides the conflict.
    if (l.size === r.size && r.contentHash && (await localHash(ctx, p)) === r.contentHash) {
      await record(ctx, p, r, l);
      return true;
    }
    await upload(ctx, p, b && b.fileId === r.id ? b.rev : null);
    return false; // the remote version comes down to this name next pass
  }
  if (l && !r) {
    if (!b) return upload(ctx, p, null);
    if (localChanged) {
      ctx.log(`${p} was deleted remotely but changed here: uploading it again`);
      return upload(ctx, p, null);
    }
    const now = await localStat(ctx, p);
    if (now && (now.mtimeMs !== l.mtimeMs || now.size !== l.size)) return false;
    await deleteLocal(ctx, p, false);
    return true;
  }
  if (!l && r) {
    if (b && !remoteChanged) {
      await deleteRemote(ctx, p);
      return true;
    }
    return download(ctx, p, undefined);
  }
  if (b) {
    ctx.state.delete(p);
    await ctx.state.save();
  }
  return true;
}
