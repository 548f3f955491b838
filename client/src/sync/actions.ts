/**
 * The steps a pass takes. Each remote step is conditional on what the agent last saw (a
 * revision, an id, an empty folder), so a change another device made meanwhile makes it fail
 * instead of undoing that change; each local step goes through LocalOps, so a user's edit made
 * meanwhile is never overwritten. After a remote step the journal is read again (catchUp) and
 * the base is saved; the order is always: change, then record — a crash in between leaves a
 * base that both sides contradict, which the next pass resolves by content hash.
 */
import { firstReport, isLocalCopy, isReadOnly, READ_ONLY_LABEL } from './read-only.js';
import { ApiError } from '../api/errors.js';
import { FileChangedError, uploadFile, type Uploaded } from '../transfer/upload.js';
import { NEARLY_NEW } from '../transfer/wire-send.js';
import { writeBlocks } from '../transfer/assemble.js';
import { BATCH_FILE_BYTES } from '../transfer/batch-upload.js';
import { contentHashOf, scanBlocks } from '../transfer/blocks.js';
import type { OpenOptions, ReadableFile } from '../transfer/file-handle.js';
import type { StepResult, SyncContext } from './context.js';
import { catchUp } from './follower.js';
import { fsCode, parentOf, type LocalStat } from './local-fs.js';
import { absOf, relOf, type RemoteEntry } from './remote.js';
import { trace } from './trace.js';
import type { BaseEntry } from './state.js';

export function readable(ctx: Pick<SyncContext, 'fs'>, rel: string, o: OpenOptions = {}): ReadableFile {
  return { open: () => ctx.fs.openRead(rel, o) };
}

/** The content hash of a local file and the stat it was read at; undefined when it changed while read or is gone. */
export async function localHash(ctx: SyncContext, rel: string): Promise<{ hash: string; stat: LocalStat } | undefined> {
  const ahead = await ctx.readAhead?.get(rel);
  if (ahead) return { hash: ahead.contentHash, stat: ahead.stat };
  try {
    const scan = await scanBlocks(readable(ctx, rel));
    if (!scan.stable || scan.stat.kind !== 'file') return undefined;
    return { hash: contentHashOf(scan.blocks), stat: scan.stat };
  } catch (err) {
    if (fsCode(err) === 'ENOENT' || fsCode(err) === 'ENOTDIR' || fsCode(err) === 'EISDIR') return undefined;
    throw err;
  }
}

/** Record that `rel` is `r` remotely and `l` locally, and save. */
export async function record(ctx: SyncContext, rel: string, r: RemoteEntry, l: LocalStat, save = true): Promise<void> {
  ctx.state.set(rel, { isDir: r.isDir, fileId: r.id, rev: r.rev, contentHash: r.contentHash, size: r.isDir ? 0 : r.size, ino: l.ino, mtimeMs: r.isDir ? 0 : l.mtimeMs });
  // A batch of uploads records many and saves once (upload-pipeline.ts).
  if (save) await ctx.state.save();
}

export async function forget(ctx: SyncContext, rel: string): Promise<void> {
  ctx.state.deleteTree(rel);
  await ctx.state.save();
}

/** Make a remote folder (and missing parents); the picture afterwards has it, or it was not possible (false). */
export async function ensureRemoteDir(ctx: SyncContext, rel: string): Promise<boolean> {
  if (rel === '' || ctx.remote.get(rel)?.isDir) return true;
  if (isReadOnly(ctx, rel)) return false; // a view-only share: nothing is made there
  try {
    await ctx.api.mkdir(absOf(ctx.remoteRoot, rel), true);
  } catch (err) {
    // 409: made meanwhile by another device (fine), or a file is in the way (the pass sorts it out).
    if (!(err instanceof ApiError && (err.status === 409 || err.status === 404))) throw err;
  }
  await catchUp(ctx);
  return !!ctx.remote.get(rel)?.isDir;
}

export type { StepResult } from './context.js';

/**
 * Upload the local file at `rel` as a new revision of `base` (or as a new file without one). A
 * lost race (someone else committed first) makes the server keep our content as a conflicted
 * copy: the local file is then moved to that name, and the remote version comes to `rel` next pass.
 */
export async function upload(ctx: SyncContext, rel: string, base: BaseEntry | undefined): Promise<StepResult> {
  const known = base && !base.isDir ? base : undefined;
  if (isReadOnly(ctx, rel)) return keepLocal(ctx, rel);
  if (!(await ensureRemoteDir(ctx, parentOf(rel)))) return 'again';
  if (ctx.faults.has('state-before-commit')) {
    const st = await ctx.fs.lstat(rel);
    if (st) ctx.state.set(rel, { isDir: false, fileId: known?.fileId ?? '', rev: (known?.rev ?? 0) + 1, contentHash: null, size: st.size, ino: st.ino, mtimeMs: st.mtimeMs });
    await ctx.state.save();
  }
  if (ctx.uploads && ctx.faults.size === 0) {
    // A small file goes in a batch (its answer is settled later in the pass); undefined: on its own.
    const queued = await ctx.uploads.add(rel, known);
    if (queued) return queued;
  }
  // A file above the batch size goes on its own: in the background, a few at once (big-uploads.ts), or here.
  if (ctx.bigUploads && ctx.faults.size === 0) return ctx.bigUploads.add(rel, known);
  let up;
  try {
    up = await uploadAlone(ctx, rel, known);
  } catch (err) {
    if (err instanceof FileChangedError || passedOver(err)) return 'again';
    throw err;
  }
  return finishUpload(ctx, rel, up);
}

/** Upload `rel` on its own (not in a batch) as a new revision of `known`: its intent saved before its commit is sent. */
export function uploadAlone(ctx: SyncContext, rel: string, known: BaseEntry | undefined): Promise<Uploaded> {
  return uploadFile(ctx.api, readable(ctx, rel), absOf(ctx.remoteRoot, rel), {
    baseRev: known ? known.rev : null,
    ...(known ? { fileId: known.fileId } : {}),
    onConflict: 'copy',
    stats: ctx.stats,
    // The replaced version's block list is fetched only if a block must be sent: its blocks are the deltas' bases.
    wire: {
      cache: ctx.blockCache,
      // A big new file: the user's other devices may fetch its blocks while it uploads (early-fetch.ts).
      announce: { path: absOf(ctx.remoteRoot, rel), baseSize: known ? known.size : 0 },
      ...(known && ctx.blockCache
        ? {
            baseBlocks: async () => (await ctx.api.revisionBlocks(absOf(ctx.remoteRoot, rel), known.rev)).blocks,
            ...(known.contentHash ? { baseContentHash: known.contentHash } : {}),
          }
        : {}),
    },
    beforeCommit: async (contentHash, st) => {
      ctx.state.setIntent(rel, { kind: 'upload', contentHash, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, cursor: ctx.cursor });
      await ctx.state.save();
    },
  });
}

/** After `uploadAlone` answered (in the pass's flow): catch the picture up past the commit, then record it. */
export async function finishUpload(ctx: SyncContext, rel: string, up: Uploaded): Promise<StepResult> {
  // The intent goes with the base's update (one save): if anything fails before, the next pass settles it.
  ctx.state.setIntent(rel, undefined);
  try {
    await catchUp(ctx);
  } catch (err) {
    ctx.state.setIntent(rel, { kind: 'upload', contentHash: up.contentHash, ino: up.stat.ino, size: up.stat.size, mtimeMs: up.stat.mtimeMs, cursor: ctx.cursor });
    throw err;
  }
  return settleUpload(ctx, rel, up, true);
}

/** An upload that failed for a reason the next pass sorts out (the file or its place changed meanwhile). */
export function passedOver(err: unknown): boolean {
  if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(fsCode(err) ?? '')) return true; // gone or replaced while read
  // parent_gone: the folder was trashed between the request's checks and its commit (a batch waits longer for its commit).
  if (err instanceof ApiError && err.status === 409 && ['is_folder', 'name_taken', 'root', 'parent_not_folder', 'parent_gone'].includes(err.code)) return true;
  return err instanceof ApiError && err.status === 404; // its folder went meanwhile
}

/**
 * After the commit of `rel` answered and the picture caught up past it: record what was
 * committed, or — when the server kept our content as a conflicted copy — follow it there.
 * `save` false: the caller saves the base once for many (a batch, upload-pipeline.ts).
 */
export async function settleUpload(ctx: SyncContext, rel: string, up: Pick<Uploaded, 'answer' | 'stat' | 'contentHash'>, save: boolean): Promise<StepResult> {
  const ans = up.answer;
  if (!ans.conflict) {
    const r = ctx.remote.get(rel);
    // The picture is past our commit; if someone changed the file again since, the next pass sees it.
    const mine: RemoteEntry = { isDir: false, id: ans.id, rev: ans.rev, contentHash: up.contentHash, size: ans.size, mtimeMs: Date.parse(ans.modifiedAt) };
    await record(ctx, rel, r && r.id === ans.id && r.rev === ans.rev ? r : mine, up.stat, save);
    ctx.log(`uploaded ${rel} (rev ${ans.rev})`);
    return 'done';
  }
  const copyRel = relOf(ctx.remoteRoot, ans.path);
  const theirs = ctx.remote.get(rel);
  if (theirs && !theirs.isDir && theirs.contentHash === up.contentHash) {
    // Both sides made the same bytes (two devices' first sync of one file): no conflict after all.
    await ctx.api.delete({ id: ans.id }, { rev: ans.rev }).catch((err: unknown) => {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 409))) throw err;
    });
    await catchUp(ctx);
    await record(ctx, rel, theirs, up.stat);
    return 'again';
  }
  ctx.log(`conflict: ${rel} changed on both sides; kept this device's version as ${copyRel ?? ans.path}`);
  if (copyRel === undefined) return 'again';
  const copy: RemoteEntry = { isDir: false, id: ans.id, rev: ans.rev, contentHash: up.contentHash, size: ans.size, mtimeMs: Date.parse(ans.modifiedAt) };
  await keptAsCopy(ctx, rel, copyRel, copy, up.stat);
  return 'again';
}

/**
 * Our content went to the conflicted copy `copyRel` on the server: the local file (whatever it
 * holds now) moves to the copy's name, where a later edit is simply a new revision of the copy.
 */
async function keptAsCopy(ctx: SyncContext, rel: string, copyRel: string, copy: RemoteEntry, stat: LocalStat): Promise<void> {
  if (await ctx.local.move(rel, copyRel)) {
    await record(ctx, copyRel, copy, stat);
    await forget(ctx, rel);
  } else if (!(await ctx.fs.lstat(rel))) {
    // Deleted here while it was being uploaded: that delete now applies to the copy.
    await record(ctx, copyRel, copy, stat);
    await forget(ctx, rel);
  } else if (await ctx.local.keepAside(rel)) {
    // The copy's name is taken here by something else: ours goes beside it under a name of its
    // own (a second copy on the server, but never a loop of uploads).
    await forget(ctx, rel);
  }
}

/**
 * Bring the remote version `r` of `rel` here: only blocks the local file lacks are fetched,
 * into a temp file that then takes the local file's place — only if that is still `expected`
 * (the base's content) or, with `expected` undefined, only if the name is still free.
 */
export async function download(ctx: SyncContext, rel: string, r: RemoteEntry, expected: LocalStat | undefined): Promise<StepResult> {
  let rb;
  let mtimeMs = r.mtimeMs;
  // Fetched ahead in a batch (download-prefetch.ts): its blocks verified, its list the one of this
  // revision, and usually already written into a finished temp file.
  const ahead = await ctx.downloads?.take(r.id, r.rev);
  if (ahead) {
    rb = ahead.blocks;
    if (ahead.modifiedAt !== undefined) mtimeMs = Date.parse(ahead.modifiedAt);
  } else {
    try {
      rb = await ctx.api.revisionBlocks(absOf(ctx.remoteRoot, rel), r.rev);
      // The file's own modification time (journal entries carry only the time of the change): in
      // the list's answer when r.rev is the head; a server without it is asked in a second request.
      if (rb.modifiedAt !== undefined) mtimeMs = Date.parse(rb.modifiedAt);
      else {
        const head = await ctx.api.stat(absOf(ctx.remoteRoot, rel));
        if (head && head.id === r.id && head.rev === r.rev) mtimeMs = Date.parse(head.modifiedAt);
      }
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 409)) return 'again'; // moved, deleted or replaced meanwhile
      throw err;
    }
  }
  const keepBases = r.size > BATCH_FILE_BYTES;
  if (r.contentHash !== null && rb.contentHash !== r.contentHash) {
    if (ahead?.temp) await ctx.local.discard(ahead.temp);
    return 'again'; // another file at that path now
  }
  let temp: string;
  let st;
  // A big new file fetched while another device uploaded it (early-fetch.ts): the rest written after what came then.
  const early = !ahead && (!expected || expected.size <= r.size * NEARLY_NEW) ? await ctx.early?.take(rel, rb.blocks) : undefined;
  if (ahead?.temp && ahead.stat) {
    temp = ahead.temp;
    st = ahead.stat;
  } else if (early) {
    temp = early;
    try {
      await ctx.fs.utimes(temp, mtimeMs);
      st = await ctx.fs.lstat(temp);
    } catch (err) {
      await ctx.local.discard(temp);
      throw err;
    }
    if (st?.size !== rb.size) {
      // Every block was checked as it came; a temp of another size was written out of place: fetch it the usual way.
      await ctx.local.discard(temp);
      return 'again';
    }
  } else {
    temp = await ctx.local.newTemp();
    try {
      const out = await ctx.fs.createExclusive(temp);
      try {
        trace('dl-write');
        if (ahead) for (const d of ahead.data) await out.write(d);
        // Kept as delta bases only for files that upload on their own: small ones go in batches, whole.
        // Where the cache can, read back from the placed file instead (below), out of the time this waits.
        else await writeBlocks(ctx.api, rb.blocks, out, { reuse: expected ? readable(ctx, rel) : undefined, stats: ctx.stats, cache: keepBases && !ctx.blockCache?.fill ? ctx.blockCache : undefined });
        trace('dl-written');
        await out.sync();
        trace('dl-synced');
      } finally {
        await out.close();
      }
      await ctx.fs.utimes(temp, mtimeMs);
      // The new file's own stat, taken before it is visible: what is recorded is exactly what we wrote.
      st = await ctx.fs.lstat(temp);
    } catch (err) {
      await ctx.local.discard(temp);
      throw err;
    }
  }
  if (!st) return 'again';
  ctx.state.setIntent(rel, { kind: 'download', contentHash: rb.contentHash, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, fileId: r.id, rev: r.rev, temp });
  await ctx.state.save();
  const placed = await ctx.local.replace(rel, temp, expected);
  trace('dl-placed');
  ctx.state.setIntent(rel, undefined);
  if (!placed) {
    await ctx.state.save();
    await ctx.local.discard(temp); // after the save: a temp still there means "never placed"
    return 'again';
  }
  await record(ctx, rel, { ...r, contentHash: rb.contentHash, size: rb.size }, st);
  if (keepBases && !ahead) ctx.blockCache?.fill?.(readable(ctx, rel), rb.blocks);
  ctx.log(`downloaded ${rel} (rev ${r.rev})`);
  return 'done';
}

/** Trash a remote file or folder this device deleted, only if it is still what the base says. */
export async function deleteRemote(ctx: SyncContext, rel: string, b: BaseEntry): Promise<StepResult> {
  if (isReadOnly(ctx, rel)) {
    // Deleted here, in a view-only share: the server's copy comes back next pass.
    await forget(ctx, rel);
    ctx.log(`${rel} is in a view-only share: not deleted on the server; restoring it here`);
    return 'again';
  }
  try {
    await ctx.api.delete({ id: b.fileId }, b.isDir ? { recursive: false } : { rev: b.rev });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 404) {
      // Gone already (or in the trash): nothing to do.
    } else if (err.status === 409 && ['stale_revision', 'not_empty'].includes(err.code)) {
      // Changed or filled meanwhile elsewhere: that change wins; the next pass brings it here.
      await catchUp(ctx);
      await forget(ctx, rel);
      return 'again';
    } else if (err.status === 409 && err.code === 'in_trash') {
      // deleted already
    } else throw err;
  }
  await catchUp(ctx);
  await forget(ctx, rel);
  ctx.log(`deleted remotely ${rel}`);
  return 'done';
}

/**
 * A local change in a view-only share: never uploaded. The edited file is kept beside as
 * `name (conflicted copy, view-only share).ext` (reported once), and the server's version comes back
 * to its place next pass; such kept copies (and new files there) stay local, untouched.
 */
async function keepLocal(ctx: SyncContext, rel: string): Promise<StepResult> {
  if (isLocalCopy(rel) || !ctx.remote.get(rel)) {
    if (firstReport(ctx, rel)) ctx.log(`${rel} is in a view-only share: kept here only, not uploaded`);
    return 'done';
  }
  const aside = await ctx.local.keepAside(rel, READ_ONLY_LABEL);
  if (aside) {
    ctx.log(`${rel} is in a view-only share: kept this device's edit as ${aside} (not uploaded)`);
    await forget(ctx, rel);
  }
  return 'again';
}
