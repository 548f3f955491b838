/**
 * Settling intents (state.ts Intent): steps whose outcome was lost to a dropped connection or a
 * crash. A download that was put in place (its temp file is gone) is what this device agreed to,
 * whatever the user did to the file since. An upload happened
 * if the journal, after the position recorded with the intent, holds this device's create or
 * update with that content — whatever became of the file since (edited, moved, trashed, kept as
 * a conflicted copy): the base records it as this device's last agreement, and the pass that
 * follows treats every later change as what it is. Without that, the device would take its own
 * commit for someone else's, and bring back a file deleted meanwhile as a "conflict".
 * The commit must also be of that path (or of its conflicted copy beside it): content alone is
 * no proof — many files share it (every empty file does), and a batch whose answer was lost
 * would otherwise take other files' commits for its own, record files the server never got as
 * synced, and then delete them locally as "deleted remotely".
 */
import type { ChangeEntry } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { SyncContext } from './context.js';
import type { LocalStat } from './local-fs.js';
import { isConflictedCopyOf, sameStat } from './local-ops.js';
import type { Intent } from './state.js';

export async function settleIntents(ctx: SyncContext): Promise<void> {
  const paths = ctx.state.intentPaths();
  if (paths.length === 0) return;
  const uploads = paths.map((rel) => [rel, ctx.state.intent(rel)!] as const).filter(([, i]) => i.kind === 'upload');
  const committed = uploads.length ? await findCommits(ctx, uploads) : new Map<string, { fileId: string; rev: number }>();
  for (const rel of paths) {
    const i = ctx.state.intent(rel)!;
    ctx.state.setIntent(rel, undefined);
    const st: LocalStat = { kind: 'file', ino: i.ino, size: i.size, mtimeMs: i.mtimeMs };
    if (i.kind === 'download') {
      if (!i.fileId || i.rev === undefined) continue;
      // Its temp still there: never put in place. Gone: placed — what is at `rel` now (that
      // revision untouched, or edited or deleted since) is judged against that revision.
      const placed = sameStat(await ctx.fs.lstat(rel), st) || (i.temp !== undefined && !(await ctx.fs.lstat(i.temp)));
      if (placed) setBase(ctx, rel, i, i.fileId, i.rev);
      else if (i.temp) await ctx.local.discard(i.temp);
      continue;
    }
    const c = committed.get(rel);
    if (!c) continue; // never committed: the pass uploads it again if it still should
    const b = ctx.state.get(rel);
    if (b && b.fileId === c.fileId && b.rev >= c.rev) continue;
    ctx.log(`${rel}: its upload was committed as revision ${c.rev} (the answer was lost)`);
    setBase(ctx, rel, i, c.fileId, c.rev);
  }
  await ctx.state.save();
}

function setBase(ctx: SyncContext, rel: string, i: Intent, fileId: string, rev: number): void {
  ctx.state.set(rel, { isDir: false, fileId, rev, contentHash: i.contentHash, size: i.size, ino: i.ino, mtimeMs: i.mtimeMs });
}

/** This device's commits of the intents' contents in the journal after their positions. */
async function findCommits(ctx: SyncContext, uploads: (readonly [string, Intent])[]): Promise<Map<string, { fileId: string; rev: number }>> {
  const found = new Map<string, { fileId: string; rev: number }>();
  let cursor = Math.min(...uploads.map(([, i]) => i.cursor ?? 0));
  for (;;) {
    let page;
    try {
      page = await ctx.api.changes(cursor);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'reset') return found; // pruned: unknowable, treated as not committed
      throw err;
    }
    for (const e of page.entries) {
      if ((e.op !== 'create' && e.op !== 'update') || !e.fileId || e.rev === null || !e.contentHash) continue;
      if (ctx.deviceId !== undefined && e.deviceId !== ctx.deviceId) continue;
      const match = uploads.find(([rel, i]) => !found.has(rel) && i.contentHash === e.contentHash && e.seq > (i.cursor ?? 0) && commitOf(ctx, rel, e));
      if (match) found.set(match[0], { fileId: e.fileId, rev: e.rev });
    }
    cursor = page.cursor;
    if (!page.has_more || found.size === uploads.length) return found;
  }
}

/** Whether a journal entry can be the commit of `rel`: that name (or its conflicted copy), in that folder when both sides know it. */
function commitOf(ctx: SyncContext, rel: string, e: ChangeEntry): boolean {
  const slash = rel.lastIndexOf('/');
  const name = rel.slice(slash + 1).normalize('NFC').toLowerCase();
  const got = e.name.normalize('NFC').toLowerCase();
  if (got !== name && !isConflictedCopyOf(got, name)) return false;
  const parentId = slash < 0 ? ctx.rootId : ctx.remote.get(rel.slice(0, slash))?.id;
  return e.parentId === undefined || !parentId || e.parentId === parentId;
}
