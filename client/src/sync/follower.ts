/**
 * Following remote changes: long poll (GET /changes/longpoll) until something follows the
 * cursor, then read GET /changes pages and apply them to the remote picture. Entries this device
 * caused are skipped (the agent already applied them when it made them). A cursor the journal
 * can no longer serve (410 reset) means listing the tree again.
 */
import { ApiError } from '../api/errors.js';
import { Backoff, sleep } from './backoff.js';
import type { SyncContext } from './context.js';
import { applyChange, listRemote } from './remote.js';

export interface Follower {
  stop(): void;
}

export function followRemote(ctx: SyncContext, deviceId: string | undefined, onChange: () => void, pollSeconds: number): Follower {
  let stopped = false;
  const backoff = new Backoff();
  void (async () => {
    while (!stopped) {
      try {
        const lp = await ctx.api.longpoll(ctx.state.data.cursor, pollSeconds);
        if (stopped) return;
        if (lp.changes && (await readChanges(ctx, deviceId))) onChange();
        await ctx.state.save();
        backoff.reset();
        if (lp.backoff) await sleep(lp.backoff * 1000);
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && err.code === 'reset') {
          ctx.relist = true;
          await relist(ctx, true).catch(() => undefined);
          onChange();
          continue;
        }
        const wait = backoff.next();
        ctx.log(`remote changes: ${(err as Error).message}; retrying in ${Math.round(wait / 100) / 10} s`);
        await sleep(wait);
        onChange(); // the server may have restarted: a pass catches up on anything missed
      }
    }
  })();
  return { stop: () => void (stopped = true) };
}

/** Read every page after the cursor into ctx.pending; true when something was queued. */
export async function readChanges(ctx: SyncContext, deviceId: string | undefined): Promise<boolean> {
  let changed = false;
  for (;;) {
    const page = await ctx.api.changes(ctx.state.data.cursor);
    for (const e of page.entries) {
      if (deviceId && e.deviceId === deviceId) continue;
      ctx.pending.push(e);
      changed = true;
    }
    ctx.state.setCursor(page.cursor);
    if (!page.has_more) break;
  }
  return changed;
}

/** Bring the remote picture up to date (at the start of a pass). */
export async function catchUp(ctx: SyncContext): Promise<void> {
  const entries = ctx.pending.splice(0);
  for (const e of entries) if (applyChange(ctx.remote, { path: ctx.remoteRoot, id: ctx.rootId }, e) === 'relist') ctx.relist = true;
  if (ctx.relist) await relist(ctx, false);
}

/**
 * List the whole remote tree again. With `cursorOnly`, just move the cursor to the journal's
 * head (the listing follows at the next pass, so it sees everything up to that head).
 */
export async function relist(ctx: SyncContext, cursorOnly = false): Promise<void> {
  if (cursorOnly) {
    ctx.state.setCursor((await ctx.api.changesLatest()).cursor);
    ctx.pending.length = 0;
    return;
  }
  if (ctx.remoteRoot !== '/') ctx.rootId = (await ctx.api.metadata(ctx.remoteRoot)).id;
  const tree = await listRemote(ctx.api, ctx.remoteRoot);
  ctx.remote.clear();
  for (const [k, v] of tree) ctx.remote.set(k, v);
  ctx.relist = false;
}
