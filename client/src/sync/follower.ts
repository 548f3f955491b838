/**
 * Following remote changes. The follower wakes the agent and keeps the entries the socket brought
 * (`ctx.backlog`, socket-backlog.ts); the pass (`catchUp`) applies them or reads the journal, and is
 * the one writer of the remote picture and of the cursor.
 *
 * It follows the websocket feed (/api/v1/events, resumed after the pass's cursor) and wakes the
 * agent on each change past the cursor as it arrives. While the socket cannot be opened or has
 * dropped, it long-polls (GET /changes/longpoll) as before, and opens the socket again after a
 * backoff (1 s doubling to 60 s; reset once a socket stayed up a while); the long polls stop once
 * a socket is open. Either way nothing is missed: the socket resumes after the cursor, and a long
 * poll answers at once when the journal is past it. A cursor the journal can no longer serve (a
 * `reset` message, 410 on a long poll) means listing the tree again. An API without the feed
 * (the simulation) long-polls only.
 */
import type { ChangeEntry } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import { Backoff } from './backoff.js';
import type { SyncContext } from './context.js';
import { applyChange, listRemote } from './remote.js';
import type { EventFeed } from './sync-api.js';
import { trace } from './trace.js';

export interface Follower {
  stop(): void;
}

/** A socket that stayed open this long resets the reconnect backoff. */
const SOCKET_SETTLED_MS = 30_000;

export function followRemote(ctx: SyncContext, onChange: () => void, pollSeconds: number): Follower {
  let stopped = false;
  /** A websocket is open and resumed: long polls are not needed. */
  let live = false;
  let polling = false;
  let feed: EventFeed | undefined;
  let cancelReconnect: (() => void) | undefined;
  const socketBackoff = new Backoff(ctx.clock, 1000, 60_000);
  /** The last socket failure was reported (one line per outage, not per attempt). */
  let reported = false;

  const poll = () => {
    if (polling || stopped) return;
    polling = true;
    void longPoll(ctx, onChange, pollSeconds, () => stopped || live).finally(() => (polling = false));
  };

  const open = (events: NonNullable<SyncContext['api']['events']>) => {
    cancelReconnect = undefined;
    if (stopped) return;
    let openedAt: number | undefined;
    let resetSeen = false;
    ctx.backlog.opened(ctx.cursor);
    const f: EventFeed = events(ctx.cursor, {
      open: () => {
        openedAt = ctx.clock.now();
        live = true;
        reported = false;
        ctx.log('remote changes: following the event socket');
      },
      message: (m) => {
        if (stopped || feed !== f) return;
        if (m.type === 'change') {
          trace(`ws-change ${m.entry.seq}`);
          ctx.backlog.add(m.entry);
          if (m.entry.seq > ctx.cursor) onChange();
        } else if (m.type === 'synced') ctx.backlog.synced();
        else if (m.type === 'share_changed') {
          // A share's role changed: the next pass reads which subtrees are view-only again.
          ctx.readOnlyStale = true;
          onChange();
        } else if (m.type === 'reset') {
          ctx.backlog.lost();
          resetSeen = true;
          ctx.relist = true;
          onChange();
          f.close(); // resumed again, from the cursor the relisting pass leaves, after a moment
        } else if (m.type === 'uploading') ctx.early?.note(m.path, m.size, m.offset, m.blocks);
        else if (m.type === 'error') ctx.log(`remote changes: the event socket said ${m.code}: ${m.message}`);
      },
      closed: (err) => {
        if (feed !== f) return;
        feed = undefined;
        live = false;
        ctx.backlog.lost();
        if (stopped) return;
        poll(); // until the socket is back: resumes from the cursor, so nothing in between is missed
        if (openedAt !== undefined && ctx.clock.now() - openedAt >= SOCKET_SETTLED_MS) socketBackoff.reset();
        const wait = resetSeen ? 1000 : socketBackoff.next();
        if (!resetSeen && !reported) {
          reported = true;
          const why = err ? err.message : 'closed';
          ctx.log(`remote changes: the event socket ${openedAt === undefined ? 'did not open' : 'dropped'} (${why}); long polling, the socket again in ${Math.round(wait / 100) / 10} s`);
        }
        cancelReconnect = ctx.clock.timer(() => open(events), wait);
      },
    });
    feed = f;
  };

  const events = ctx.api.events?.bind(ctx.api);
  if (events) open(events);
  else poll();
  return {
    stop: () => {
      stopped = true;
      cancelReconnect?.();
      feed?.close();
    },
  };
}

/** Long polls until `done()`: each answer that says something changed wakes the agent. */
async function longPoll(ctx: SyncContext, onChange: () => void, pollSeconds: number, done: () => boolean): Promise<void> {
  const backoff = new Backoff(ctx.clock);
  while (!done()) {
    try {
      const lp = await ctx.api.longpoll(ctx.cursor, pollSeconds);
      if (done()) return;
      if (lp.changes) onChange();
      backoff.reset();
      if (lp.backoff) await ctx.clock.sleep(lp.backoff * 1000);
      else if (lp.changes) await ctx.clock.sleep(50); // the pass moves the cursor; don't spin on the old one
    } catch (err) {
      if (done()) return;
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
}

/**
 * Bring the remote picture up to the journal's head: every entry after the cursor, this device's
 * own too. `fromSocket`: the entries the live event socket brought will do (socket-backlog.ts),
 * when it has them all; a catch-up that must reach past a point it knows of asks the server.
 */
export async function catchUp(ctx: SyncContext, o: { fromSocket?: boolean } = {}): Promise<void> {
  if (ctx.relist) return relist(ctx);
  const held = o.fromSocket ? ctx.backlog.take(ctx.cursor) : undefined;
  if (held) {
    trace(`backlog ${held.length}`);
    apply(ctx, held);
    return ctx.relist ? relist(ctx) : undefined;
  }
  for (;;) {
    let page;
    try {
      page = await ctx.api.changes(ctx.cursor);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'reset')) throw err;
      return relist(ctx);
    }
    apply(ctx, page.entries);
    ctx.cursor = page.cursor;
    if (ctx.relist) return relist(ctx);
    if (!page.has_more) return;
  }
}

/** Entries into the picture, the cursor past them; a folder's change (a share mounted or gone among them) has the view-only subtrees read again. */
function apply(ctx: SyncContext, entries: readonly ChangeEntry[]): void {
  for (const e of entries) {
    if (applyChange(ctx.remote, { path: ctx.remoteRoot, id: ctx.rootId }, e) === 'relist') ctx.relist = true;
    if (e.isDir === true || (e.op !== 'create' && e.op !== 'update')) ctx.readOnlyStale = true;
    ctx.cursor = Math.max(ctx.cursor, e.seq);
  }
}

/** The cursor at the journal's head first, then the listing: changes in between are replayed by the next catchUp, not missed. */
export async function relist(ctx: SyncContext): Promise<void> {
  // Until the listing is complete the picture is partial: a failure midway must list again, not
  // catch up on a partial tree (whose missing entries would look like remote deletes).
  ctx.relist = true;
  ctx.log('listing the remote tree');
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
