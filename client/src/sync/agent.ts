/**
 * The sync agent: start-up (finish what a crash interrupted, remote folder, a full listing), then
 * passes run one at a time whenever the local watcher or the remote follower says something
 * changed. A failed pass (network loss, server restart) is retried with exponential backoff;
 * nothing is lost because every committed step is already in the state file, and every step is
 * conditional on what this device last saw.
 *
 * Its world is three small interfaces — SyncApi, LocalFs, Clock — so the deterministic
 * simulation (client/test/sim/) runs exactly this code.
 */
import { readOnlyRels } from './read-only.js';
import { hostname } from 'node:os';
import { ApiError } from '../api/errors.js';
import { debugging } from '../env.js';
import type { BlockCache } from '../transfer/block-cache.js';
import { TransferStats } from '../transfer/stats.js';
import { Backoff } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import type { SyncContext } from './context.js';
import { NO_FAULTS, type Faults } from './faults.js';
import { EarlyFetch } from './early-fetch.js';
import { catchUp, followRemote } from './follower.js';
import { IgnoreRules } from './ignore.js';
import type { LocalFs } from './local-fs.js';
import { LocalOps, sameStat } from './local-ops.js';
import { SETTLE_MS, syncPass } from './reconcile.js';
import { trace, tracedApi } from './trace.js';
import { RemoteTree } from './remote.js';
import { SocketBacklog } from './socket-backlog.js';
import { META_DIR, SyncState, type StateLocation } from './state.js';
import type { SyncApi } from './sync-api.js';

export interface AgentTimings {
  /** The settle window: a pass starts once the watcher has been quiet this long after a local
   *  change (the write has settled; reconcile.ts SETTLE_MS holds a file younger than that back)… */
  settleMs: number;
  /** …or this long after the first change of a burst, however busy the folder stays. */
  settleMaxMs: number;
  /** A full pass this often, whatever the watcher says (file systems where watching is lossy). */
  rescanMs: number;
  /** Long-poll timeout. */
  pollSeconds: number;
  /** Wait before a pass that has something left (a file still being written). */
  againMs: number;
}

export const DEFAULT_TIMINGS: AgentTimings = { settleMs: SETTLE_MS, settleMaxMs: 1000, rescanMs: 60_000, pollSeconds: 60, againMs: 350 };

/** What the agent reports besides its log lines (the simulation watches these). */
export interface AgentObserver {
  idle?(): void;
  passFailed?(err: unknown): void;
}

export interface AgentOptions {
  api: SyncApi;
  fs: LocalFs;
  remoteRoot: string;
  /** The state database (`DIR/.coffer/state.db`, state.ts STATE_DB), or an open one the caller keeps (the simulation's, in memory). */
  state: StateLocation;
  clock?: Clock;
  /** Shown in the names of conflicted copies this device makes locally. */
  deviceName?: string;
  /** Stop after the first pass that leaves nothing to do (a one-shot sync). */
  once?: boolean;
  timings?: Partial<AgentTimings>;
  faults?: Faults;
  observer?: AgentObserver;
  stats?: TransferStats;
  /** Plaintext of blocks sent and received, the bases of delta uploads (issue 21); absent: blocks go compressed, never as deltas. */
  blockCache?: BlockCache;
  log: (line: string) => void;
}

export async function runAgent(o: AgentOptions): Promise<void> {
  const clock = o.clock ?? systemClock;
  const t = { ...DEFAULT_TIMINGS, ...o.timings };
  const backoff = new Backoff(clock);
  const state = await SyncState.open(o.fs, o.remoteRoot, o.state);
  try {
    await run(o, clock, t, backoff, state);
  } finally {
    state.close();
  }
}

async function run(o: AgentOptions, clock: Clock, t: AgentTimings, backoff: Backoff, state: SyncState): Promise<void> {
  const local = new LocalOps(o.fs, clock, o.deviceName ?? hostname(), o.log);
  // A crash may have left a file taken aside mid-replace: back in place before anything is scanned.
  // Temps a download intent names say whether it was put in place (intents.ts): they stay for now.
  const intentTemps = new Set(state.intentPaths().map((p) => state.intent(p)!.temp).filter((t): t is string => t !== undefined));
  await local.recover((rel, st) => sameStat(st, state.get(rel)), intentTemps);
  // The remote picture of the last run, at its cursor: the journal from there brings it up to
  // date (no listing of the tree, unless the journal no longer holds that cursor).
  const remote = new RemoteTree();
  let saved = state.loadRemote(remote);
  const ctx: SyncContext = {
    api: tracedApi(o.api),
    fs: o.fs,
    local,
    clock,
    deviceId: undefined,
    remoteRoot: o.remoteRoot,
    rootId: '',
    state,
    cursor: 0,
    relist: true,
    remote,
    ignore: IgnoreRules.of(''),
    absentBefore: new Set(),
    stats: o.stats ?? new TransferStats(),
    faults: o.faults ?? NO_FAULTS,
    readOnly: [],
    readOnlyStale: true,
    backlog: new SocketBacklog(),
    log: o.log,
    ...(o.blockCache ? { blockCache: o.blockCache } : {}),
  };
  let readOnlyAt = clock.now();
  await retry(async () => {
    ctx.deviceId ??= (await o.api.me()).deviceId;
    if (o.remoteRoot !== '/' && !(await o.api.stat(o.remoteRoot))) {
      await o.api.mkdir(o.remoteRoot, true).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 409)) throw e; // made meanwhile by another device
      });
    }
    ctx.readOnly = await readOnlyRels(ctx);
    ctx.readOnlyStale = false;
    readOnlyAt = clock.now();
    if (saved) {
      // Only if the remote folder is still the one the picture is of (not deleted and made again).
      const same = o.remoteRoot === '/' || (await o.api.metadata(o.remoteRoot)).id === saved.rootId;
      if (same) {
        ctx.cursor = saved.cursor;
        ctx.rootId = saved.rootId;
        ctx.relist = false;
        o.log(`resuming from journal position ${saved.cursor} (${remote.size} remote items known)`);
      } else o.log('the remote folder was made again since the last run');
      saved = undefined; // decided once: a retry goes on from where this one got
    }
    await catchUp(ctx); // lists the tree when no picture was kept, or the journal no longer holds its cursor
  }, backoff, clock, o.log);

  let dirty = true;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  let settle: (() => void) | undefined;
  let burstStart: number | undefined;
  const onLocal = (rel: string | undefined) => {
    if (rel && (rel === META_DIR || rel.startsWith(META_DIR + '/') || ctx.ignore.ignoredPath(rel, false))) return; // our own state and temp files
    trace(`watch ${rel}`);
    const now = clock.now();
    burstStart ??= now;
    settle?.();
    settle = clock.timer(
      () => {
        settle = undefined;
        burstStart = undefined;
        trace('settled');
        poke();
      },
      Math.max(0, Math.min(t.settleMs, burstStart + t.settleMaxMs - now)),
    );
  };
  const unwatch = o.once ? undefined : o.fs.watch(onLocal);
  const stopRescan = o.once ? undefined : clock.every(poke, t.rescanMs);
  // Big new files other devices upload: fetched as they upload, taken by the pass's download (not for a single pass).
  const early = o.once ? undefined : new EarlyFetch(ctx);
  if (early) ctx.early = early;
  const follower = o.once ? undefined : followRemote(ctx, poke, t.pollSeconds);
  const reported = new Set<string>();
  try {
    for (;;) {
      if (!dirty) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      dirty = false;
      trace('pass-start');
      try {
        // Which subtrees are view-only shares, read beside the journal catch-up (one round trip, not
        // two) — unless the live socket would have told of a role changed (share_changed, a folder
        // come or gone) since a recent read: then a pass starts on what the socket brought, asking nothing.
        let readOnly: Promise<void> | undefined;
        if (ctx.readOnlyStale || !ctx.backlog.live || clock.now() - readOnlyAt >= t.rescanMs) {
          ctx.readOnlyStale = false;
          readOnlyAt = clock.now();
          readOnly = readOnlyRels(ctx).then((r) => void (ctx.readOnly = r));
          readOnly.catch(() => undefined); // awaited by the pass; a catch-up failing first must not leave it unhandled
        }
        const res = await syncPass(ctx, readOnly);
        // The picture is at ctx.cursor after a pass (unless a listing is due: the stored one stays).
        if (!ctx.relist) ctx.state.saveRemote(ctx.cursor, ctx.rootId, ctx.remote);
        await ctx.state.save();
        for (const c of res.collisions) if (!reported.has(c)) o.log(`skipped ${c}: another name in its folder differs only in case`), reported.add(c);
        trace(`pass-end${res.again ? ' again' : ''}`);
        backoff.reset();
        if (res.again) clock.timer(poke, t.againMs);
        else if (o.once) return;
        else {
          o.log('idle');
          o.observer?.idle?.();
        }
      } catch (err) {
        ctx.readOnlyStale = true; // e.g. an upload refused where this device may no longer write
        o.observer?.passFailed?.(err);
        const wait = backoff.next();
        o.log(`sync pass failed: ${(err as Error).message}; retrying in ${Math.round(wait / 100) / 10} s`);
        if (debugging()) o.log(String((err as Error).stack));
        await clock.sleep(wait);
        dirty = true;
      }
    }
  } finally {
    settle?.();
    unwatch?.();
    stopRescan?.();
    follower?.stop();
    await early?.stop();
  }
}

async function retry<T>(fn: () => Promise<T>, backoff: Backoff, clock: Clock, log: (l: string) => void): Promise<T> {
  for (;;) {
    try {
      const v = await fn();
      backoff.reset();
      return v;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err; // retrying cannot help
      const wait = backoff.next();
      log(`${(err as Error).message}; retrying in ${Math.round(wait / 100) / 10} s`);
      await clock.sleep(wait);
    }
  }
}
