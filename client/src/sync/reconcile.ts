/**
 * One sync pass: moves first, both ways (moves.ts), until none is left; intents whose answer was
 * lost settled (intents.ts); names that differ from the server's only in case aligned; then the
 * three-way decisions for every path (pass.ts).
 */
import { forget } from './actions.js';
import { settleIntents } from './intents.js';
import type { SyncContext } from './context.js';
import { catchUp } from './follower.js';
import { IgnoreRules } from './ignore.js';
import { parentOf, sortedByDepth } from './local-fs.js';
import { applyLocalMoves, applyRemoteMoves } from './moves.js';
import { Pass, type PassResult } from './pass.js';
import { scanLocal, type ScanResult } from './scanner.js';

export { SETTLE_MS, type PassResult } from './pass.js';

/** `ready`: work the caller started beside the first journal catch-up (agent.ts reads the view-only
 *  roots meanwhile), awaited before anything that depends on it. */
export async function syncPass(ctx: SyncContext, ready?: Promise<unknown>): Promise<PassResult> {
  try {
    return await passSteps(ctx, ready);
  } finally {
    ctx.state.release(); // the pass held every base (state.ts entries()); between passes only a bounded cache
  }
}

async function passSteps(ctx: SyncContext, ready?: Promise<unknown>): Promise<PassResult> {
  // The first journal catch-up (it reads no ignore rules) goes out while the rules are read: a round
  // trip, or none when the live event socket brought every entry since the cursor (socket-backlog.ts).
  const first = catchUp(ctx, { fromSocket: true });
  first.catch(() => undefined); // awaited below; an ignore file failing first must not leave it unhandled
  try {
    ctx.ignore = await IgnoreRules.load(ctx.fs); // cheap, and picks up an edited .cofferignore
  } catch (err) {
    await first.catch(() => undefined); // one writer of the picture at a time: the next pass starts after it
    throw err;
  }
  let scan: ScanResult;
  // Moves first, both ways, until none is left (replaying a local move reads the journal, which
  // may bring remote moves).
  for (let i = 0; ; i++) {
    await (i === 0 ? first : catchUp(ctx));
    if (i === 0) await ready;
    if (i === 0) await settleIntents(ctx);
    const remoteMoved = await applyRemoteMoves(ctx);
    scan = await scanTree(ctx);
    if (!(await applyLocalMoves(ctx, scan.tree)) && !remoteMoved) break;
    if (i >= 20) {
      scan = await scanTree(ctx);
      break;
    }
  }
  for (let i = 0; i < 100 && (await alignCase(ctx, scan)); i++) scan = await scanTree(ctx);
  return new Pass(ctx, scan).run();
}

/**
 * The server's names are case-insensitive, a Linux folder's are not. A local item whose path
 * equals a remote one but for case, and which is not that remote item (new here, or synced but
 * deleted remotely since), takes the remote spelling here — a folder made on two devices as
 * `Photos` and `photos` becomes one, a file compares or conflicts — or, being of the other kind,
 * is kept aside under a conflicted-copy name. One item a call, parents first; true when something moved.
 */
async function alignCase(ctx: SyncContext, scan: ScanResult): Promise<boolean> {
  // Only what the server lacks under its own name may need it; usually nothing is (a restart at 100,000 files lowered and sorted every path here).
  const candidates = [...scan.tree.keys()].filter((q) => !ctx.remote.has(q));
  if (candidates.length === 0) return false;
  const remoteByKey = new Map<string, string>();
  for (const p of ctx.remote.paths()) remoteByKey.set(p.toLowerCase(), p);
  for (const q of sortedByDepth(candidates)) {
    const b = ctx.state.get(q);
    if (b && ctx.remote.pathOf(b.fileId) !== undefined) continue; // moved remotely: applyRemoteMoves' business
    const r = remoteByKey.get(q.toLowerCase());
    if (r === undefined || r === q || parentOf(r) !== parentOf(q) || scan.tree.has(r)) continue;
    if ((scan.tree.get(q)!.kind === 'dir') !== ctx.remote.get(r)!.isDir) {
      const aside = await ctx.local.keepAside(q);
      if (!aside) continue;
      ctx.log(`${q} is spelled ${r} remotely, where it is a ${ctx.remote.get(r)!.isDir ? 'folder' : 'file'}; kept this device's as ${aside}`);
      await forget(ctx, q);
      return true;
    }
    if (await ctx.local.move(q, r)) {
      if (b) {
        ctx.state.renamePrefix(q, r);
        await ctx.state.save();
      }
      ctx.log(`renamed ${q} to ${r}, as it is spelled remotely`);
      return true;
    }
  }
  return false;
}

function scanTree(ctx: SyncContext): Promise<ScanResult> {
  return scanLocal(ctx.fs, ctx.ignore, (p) => ctx.state.get(p) !== undefined);
}
