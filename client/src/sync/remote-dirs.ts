/**
 * Folders new on this side, made remotely before the pass's phase 1 reaches them (issue 20): all
 * in one request (POST /mkdir/batch) where the server has it, else a level of the tree at a time,
 * several at once, with one journal catch-up per level. Made one at
 * a time, each with its own catch-up, a tree of a hundred new folders cost two hundred round
 * trips in a row (~1.7 s of a 10 s first sync). Phase 1 still decides every folder
 * (actions.ts `ensureRemoteDir`): this only makes its answer already be in the picture, and
 * whatever failed here is simply tried again there, one at a time, as before.
 */
import { MAX_BATCH_FILES } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import { eachAtMost } from '../at-most.js';
import type { SyncContext } from './context.js';
import { catchUp } from './follower.js';
import { absOf } from './remote.js';

/** mkdir requests in flight at once. */
const IN_FLIGHT = 8;

const depthOf = (rel: string) => rel.split('/').length;

/** Make these folders (paths relative to the sync root, none of them in the picture yet) remotely. */
export async function makeRemoteDirsAhead(ctx: SyncContext, dirs: readonly string[]): Promise<void> {
  if (dirs.length < 2) return; // nothing to gain over phase 1
  if (await inBatches(ctx, dirs)) return;
  const levels = new Map<number, string[]>();
  for (const d of dirs) levels.set(depthOf(d), [...(levels.get(depthOf(d)) ?? []), d]);
  for (const depth of [...levels.keys()].sort((a, b) => a - b)) {
    const level = levels.get(depth)!.filter((d) => !ctx.remote.get(d));
    let failed = false;
    await eachAtMost(level, IN_FLIGHT, async (d) => {
      if (failed) return;
      try {
        await ctx.api.mkdir(absOf(ctx.remoteRoot, d), true);
      } catch (err) {
        // 409/404: made meanwhile, or something in the way — phase 1 sorts it out. Anything else: stop here.
        if (!(err instanceof ApiError && (err.status === 409 || err.status === 404))) failed = true;
      }
    });
    await catchUp(ctx);
    if (failed) return;
  }
}

/**
 * All of them in one request per MAX_BATCH_FILES (POST /mkdir/batch, parents first as sorted, each
 * answered alone), then one catch-up. False: the server has no such route (older), or the API
 * lacks it (the simulation) — make them a level at a time instead. A folder refused here is left
 * to phase 1, as above.
 */
async function inBatches(ctx: SyncContext, dirs: readonly string[]): Promise<boolean> {
  if (!ctx.api.mkdirBatch || ctx.noMkdirBatch) return false;
  const todo = [...dirs].filter((d) => !ctx.remote.get(d)).sort((a, b) => depthOf(a) - depthOf(b));
  try {
    for (let i = 0; i < todo.length; i += MAX_BATCH_FILES) {
      await ctx.api.mkdirBatch(todo.slice(i, i + MAX_BATCH_FILES).map((d) => absOf(ctx.remoteRoot, d)), true);
    }
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
      ctx.noMkdirBatch = true;
      return false;
    }
    return true; // failed (or its answer was lost): phase 1 makes each folder, or finds it made
  }
  await catchUp(ctx);
  return true;
}
