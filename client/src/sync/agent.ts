/**
 * The sync agent: start-up (remote folder, state, a full listing), then passes run one at a
 * time whenever the local watcher or the remote follower says something changed. A failed pass
 * (network loss, server restart) is retried with exponential backoff; nothing is lost because
 * every committed step is already in the state file and the journal cursor resumes the rest.
 */
import type { CofferApi } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import { TransferStats } from '../transfer/stats.js';
import { Backoff, sleep } from './backoff.js';
import type { SyncContext } from './context.js';
import { catchUp, followRemote, relist } from './follower.js';
import { IgnoreRules } from './ignore.js';
import type { RemoteTree } from './remote.js';
import { syncPass } from './reconcile.js';
import { SyncState } from './state.js';
import { countBlocksTo } from './stats-file.js';
import { watchTree } from './watcher.js';

export interface AgentOptions {
  api: CofferApi;
  root: string;
  remoteRoot: string;
  deviceId?: string;
  /** Append cumulative block counters (JSON lines) here, see stats-file.ts. */
  statsFile?: string;
  /** Stop after the first pass that leaves nothing to do (a one-shot sync). */
  once?: boolean;
  log: (line: string) => void;
}

export async function runAgent(o: AgentOptions): Promise<void> {
  const backoff = new Backoff();
  if (o.statsFile) countBlocksTo(o.api, o.statsFile);
  const deviceId = o.deviceId ?? (await retry(() => o.api.me(), backoff, o.log)).deviceId;
  const state = await SyncState.load(o.root, o.remoteRoot);
  const ctx: SyncContext = { api: o.api, root: o.root, remoteRoot: o.remoteRoot, rootId: '', state, pending: [], relist: true, remote: new Map() as RemoteTree, ignore: await IgnoreRules.load(o.root), stats: new TransferStats(), log: o.log };
  await retry(async () => {
    if (o.remoteRoot !== '/' && !(await o.api.stat(o.remoteRoot))) {
      await o.api.mkdir(o.remoteRoot, true).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 409)) throw e; // made meanwhile by another device
      });
    }
    await relist(ctx, true); // cursor first, then the listing: changes in between are replayed, not missed
    await relist(ctx);
  }, backoff, o.log);

  let dirty = true;
  let wake: (() => void) | undefined;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const env = (k: string, d: number) => Number(process.env[k] ?? d);
  const unwatch = o.once ? () => undefined : watchTree(o.root, () => ctx.ignore, poke, { debounceMs: env('COFFER_SYNC_DEBOUNCE_MS', 300), rescanMs: env('COFFER_SYNC_RESCAN_MS', 60_000) });
  const follower = o.once ? undefined : followRemote(ctx, deviceId, poke, env('COFFER_SYNC_POLL_S', 60));
  const reported = new Set<string>();
  try {
    for (;;) {
      if (!dirty) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      dirty = false;
      try {
        await catchUp(ctx);
        const res = await syncPass(ctx);
        for (const c of res.collisions) if (!reported.has(c)) o.log(`skipped ${c}: another name in its folder differs only in case`), reported.add(c);
        backoff.reset();
        if (res.again) setTimeout(poke, 350); // not unref'd: with --once nothing else keeps the process alive
        else if (o.once) return;
        else o.log('idle');
      } catch (err) {
        const wait = backoff.next();
        o.log(`sync pass failed: ${(err as Error).message}; retrying in ${Math.round(wait / 100) / 10} s`);
        if (process.env.COFFER_DEBUG) o.log(String((err as Error).stack));
        await sleep(wait);
        dirty = true;
      }
    }
  } finally {
    unwatch();
    follower?.stop();
  }
}

async function retry<T>(fn: () => Promise<T>, backoff: Backoff, log: (l: string) => void): Promise<T> {
  for (;;) {
    try {
      const v = await fn();
      backoff.reset();
      return v;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw err; // retrying cannot help
      const wait = backoff.next();
      log(`${(err as Error).message}; retrying in ${Math.round(wait / 100) / 10} s`);
      await sleep(wait);
    }
  }
}
