/**
 * Following remote changes. The follower only long-polls (GET /changes/longpoll) and wakes the
 * agent; the journal itself is read by the pass (`catchUp`), which is the one writer of the
 * remote picture and of the cursor. A cursor the journal can no longer serve (410 reset) means
 * listing the tree again.
 */
import { ApiError } from '../api/errors.js';
import { Backoff } from './backoff.js';
import type { SyncContext } from './context.js';
import { applyChange, listRemote } from './remote.js';

export interface Follower {
  stop(): void;
}

export function followRemote(ctx: SyncContext, onChange: () => void, pollSeconds: number): Follower {
  let stopped = false;
  const backoff = new Backoff(ctx.clock);
  void (async () => {
    while (!stopped) {
      try {
        const lp = await ctx.api.longpoll(ctx.cursor, pollSeconds);
        if (stopped) return;
        if (lp.changes) onChange();
        backoff.reset();
        if (lp.backoff) await ctx.clock.sleep(lp.backoff * 1000);
        else if (lp.changes) await ctx.clock.sleep(50); // the pass moves the cursor; don't spin on the old one
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && err.code === 'reset') {
          ctx.relist = true;
          onChange();
          await ctx.clock.sleep(1000);
          continue;
        }
        const wait = backoff.next();
        ctx.log(`remote changes: ${(err as Error).message}; retrying in ${Math.round(wait / 100) / 10} s`);
        await ctx.clock.sleep(wait);
        onChange(); // the server may have restarted: a pass catches up on anything missed
      }
    }
  })();
  return { stop: () => void (stopped = true) };
}

/** Bring the remote picture up to the journal's head: every entry after the cursor, this device's own too. */
export async function catchUp(ctx: SyncContext): Promise<void> {
  if (ctx.relist) return relist(ctx);
  for (;;) {
    let page;
    try {
      page = await ctx.api.changes(ctx.cursor);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'reset')) throw err;
      return relist(ctx);
    }
    for (const e of page.entries) if (applyChange(ctx.remote, { path: ctx.remoteRoot, id: ctx.rootId }, e) === 'relist') ctx.relist = true;
    ctx.cursor = page.cursor;
    if (ctx.relist) return relist(ctx);
    if (!page.has_more) return;
  }
}

/** The cursor at the journal's head first, then the listing: changes in between are replayed by the next catchUp, not missed. */
export async function relist(ctx: SyncContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    ctx.cursor = (await ctx.api.changesLatest()).cursor;
    if (ctx.remoteRoot !== '/') ctx.rootId = (await ctx.api.metadata(ctx.remoteRoot)).id;
    try {
      await listRemote(ctx.api, ctx.remoteRoot, ctx.remote);
      break;
    } catch (err) {
      // A folder moved or deleted by another device while the tree was being listed (seen by the
      // soak): list again from a new cursor. Skipping it instead would drop its children from the
      // picture, and a later replay of its move would then look like their deletion.
      if (!(err instanceof ApiError && err.status === 404) || attempt >= 5) throw err;
    }
  }
  ctx.relist = false;
  await catchUp(ctx);
}
