/**
 * The steps a pass takes, each one committed remotely (or locally) and then recorded in the
 * state file at once, so a crash between steps loses nothing and repeats nothing.
 */
import { lstat, mkdir, readdir, rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import { assembleFile } from '../transfer/assemble.js';
import { blockListOf, contentHashOf } from '../transfer/blocks.js';
import { uploadFile } from '../transfer/upload.js';
import { parentOf, type SyncContext } from './context.js';
import { absOf, fromView, relOf, type RemoteEntry } from './remote.js';
import type { LocalEntry } from './scanner.js';
import { META_DIR } from './state.js';

export async function localStat(ctx: SyncContext, rel: string): Promise<LocalEntry | undefined> {
  const st = await lstat(join(ctx.root, rel)).catch(() => undefined);
  if (!st) return undefined;
  return { isDir: st.isDirectory(), ino: st.ino, size: st.isDirectory() ? 0 : st.size, mtimeMs: Math.round(st.mtimeMs) };
}

function same(a: LocalEntry | undefined, b: LocalEntry | undefined): boolean {
  return !!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The content hash of a local file (the server's formula). */
export async function localHash(ctx: SyncContext, rel: string): Promise<string> {
  return contentHashOf(await blockListOf(join(ctx.root, rel)));
}

export async function record(ctx: SyncContext, rel: string, r: RemoteEntry, l: LocalEntry): Promise<void> {
  ctx.state.set(rel, { isDir: r.isDir, fileId: r.id, rev: r.rev, contentHash: r.contentHash, size: r.isDir ? 0 : r.size, ino: l.ino, mtimeMs: l.mtimeMs });
  await ctx.state.save();
}

/** Make a remote folder (and missing parents); an existing one is fine. */
export async function ensureRemoteDir(ctx: SyncContext, rel: string): Promise<RemoteEntry> {
  const have = ctx.remote.get(rel);
  if (have?.isDir) return have;
  let v;
  try {
    v = await ctx.api.mkdir(absOf(ctx.remoteRoot, rel), true);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
    v = await ctx.api.metadata(absOf(ctx.remoteRoot, rel));
  }
  const r = fromView(v);
  ctx.remote.set(rel, r);
  return r;
}

/**
 * Upload a changed or new local file by delta. A stale base (someone else committed first)
 * makes the server keep ours as a conflicted copy: the local file is renamed to that name, and
 * the remote version is downloaded to the original name by the next pass. Returns false when
 * the file was still changing (try again later).
 */
export async function upload(ctx: SyncContext, rel: string, baseRev: number | null): Promise<boolean> {
  const before = await localStat(ctx, rel);
  if (!before || before.isDir) return false;
  const parent = parentOf(rel);
  if (parent) await ensureRemoteDir(ctx, parent);
  let ans;
  try {
    ans = await uploadFile(ctx.api, join(ctx.root, rel), absOf(ctx.remoteRoot, rel), { baseRev, onConflict: 'copy', stats: ctx.stats });
  } catch (err) {
    if (err instanceof Error && /changed while it was being uploaded/.test(err.message)) return false;
    throw err;
  }
  const after = await localStat(ctx, rel);
  const r = fromView(ans);
  if (ans.conflict) {
    const copyRel = relOf(ctx.remoteRoot, ans.path);
    const original = ans.original && (await ctx.api.stat(ans.original.path));
    if (original && !original.isDir && original.contentHash === ans.contentHash) {
      // Both sides made the same bytes (e.g. two devices' first sync of one file): no conflict.
      await ctx.api.delete(ans.path);
      const o = fromView(original);
      ctx.remote.set(rel, o);
      await record(ctx, rel, o, before);
      return same(before, after);
    }
    ctx.log(`conflict: ${rel} changed on both sides; kept this device's version as ${copyRel ?? ans.path}`);
    if (copyRel === undefined) return true;
    if (await localStat(ctx, copyRel)) {
      // Never overwrite a local file at the copy's name; our bytes are safe on the server as the
      // copy, so the local file goes to the agent's trash (re-uploading would make copy after copy).
      const trash = join(ctx.root, META_DIR, 'trash');
      await mkdir(trash, { recursive: true });
      await rename(join(ctx.root, rel), join(trash, `${Date.now()}-${rel.replaceAll('/', '_')}`));
      return false;
    }
    await rename(join(ctx.root, rel), join(ctx.root, copyRel));
    ctx.remote.set(copyRel, r);
    await record(ctx, copyRel, r, (await localStat(ctx, copyRel))!);
    return true;
  }
  ctx.remote.set(rel, r);
  // Changed during the upload: record what was sent, so the next pass sees the newer bytes as a change.
  await record(ctx, rel, r, same(before, after) ? after! : before);
  ctx.log(`uploaded ${rel} (rev ${r.rev})`);
  return same(before, after);
}

/**
 * Download the remote head of a file: only the blocks the local copy (usually the previous
 * version) lacks are fetched, written to a temp file and renamed over, mtime kept. `seen` is the
 * local file as the decision saw it: if it changed since, nothing is overwritten.
 */
export async function download(ctx: SyncContext, rel: string, seen: LocalEntry | undefined): Promise<boolean> {
  const abs = absOf(ctx.remoteRoot, rel);
  const head = await ctx.api.stat(abs);
  if (!head || head.isDir || head.pending || head.rev === 0) return false;
  const rb = await ctx.api.revisionBlocks(abs, head.rev);
  const r: RemoteEntry = { ...fromView(head), rev: rb.rev, contentHash: rb.contentHash, size: rb.size };
  const localPath = join(ctx.root, rel);
  const now = await localStat(ctx, rel);
  if (seen ? !same(now, seen) : now) return false; // touched meanwhile: decide again
  await mkdir(join(ctx.root, parentOf(rel)), { recursive: true });
  // The local file is the base version here (callers check), so it differs: no hashing it first.
  const b = ctx.state.get(rel);
  if (now && b && b.contentHash === rb.contentHash && b.size === now.size) {
    await utimes(localPath, new Date(), new Date(r.mtimeMs)); // a new revision with the same bytes
  } else {
    await assembleFile(ctx.api, rb.blocks, localPath, { reuseFrom: now ? localPath : undefined, mtime: new Date(r.mtimeMs), stats: ctx.stats });
    ctx.log(`downloaded ${rel} (rev ${r.rev})`);
  }
  ctx.remote.set(rel, r);
  await record(ctx, rel, r, (await localStat(ctx, rel))!);
  return true;
}

export async function deleteRemote(ctx: SyncContext, rel: string): Promise<void> {
  try {
    await ctx.api.delete(absOf(ctx.remoteRoot, rel));
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  ctx.remote.delete(rel);
  ctx.state.delete(rel);
  await ctx.state.save();
  ctx.log(`deleted remotely ${rel}`);
}

/** Remove a local file or a folder holding nothing but ignored names; false when it holds more. */
export async function deleteLocal(ctx: SyncContext, rel: string, isDir: boolean): Promise<boolean> {
  const p = join(ctx.root, rel);
  if (isDir) {
    const names = await readdir(p).catch(() => []);
    if (names.some((n) => !ctx.ignore.ignored(`${rel}/${n}`, false))) return false;
  }
  await rm(p, { recursive: isDir, force: true });
  ctx.state.delete(rel);
  await ctx.state.save();
  ctx.log(`deleted locally ${rel}`);
  return true;
}
