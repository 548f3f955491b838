/**
 * The in-process sync hub: one per server process. It LISTENs on two PostgreSQL channels and
 * dispatches what arrives to the long polls and websockets of this process, by target:
 *
 * - `coffer_journal` (payload: a namespace id) is sent by every journal append and delivered on
 *   commit (files/journal.ts). The hub reads the namespace's new head once, and the new entries
 *   once when a websocket wants them, however many connections wait on that namespace.
 * - `coffer_events` (payload: `{target, event}` JSON) carries events such as notifications to a
 *   user's connections on every instance: see `publish` below.
 * - `coffer_presence`: which devices hold connections on which instance (presence.ts).
 *
 * NOTIFY is a wake-up, not a queue: whoever is woken re-reads the journal from its own cursor,
 * and after the LISTEN connection is re-established every target is re-read. A watchdog pings
 * itself through the channel and re-subscribes when its ping does not come back.
 *
 * Everything here runs outside any request (LISTEN callbacks, timers): a watcher that throws or
 * a query that fails is logged and the rest goes on; none of it may end the process.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Db, Unlisten } from '../db/open.js';
import { componentLogger, logError as logErrorTo } from '../observability/log.js';
import { JOURNAL_CHANNEL } from '../files/journal.js';
import { journalBounds, readChanges, type ChangeEntry } from './changes.js';
import { Presence, PRESENCE_CHANNEL } from './presence.js';

const log = componentLogger('sync');
const logError = (context: string, err: unknown) => logErrorTo(context, err, log);

export const EVENTS_CHANNEL = 'coffer_events';
/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_EVENT_BYTES = 7_900;

/** An event for a user's connections. `type: 'change'` is reserved for journal entries. */
export interface HubEvent {
  type: string;
  [key: string]: unknown;
}

/**
 * Publish `event` to every connection watching `target` (a user id: that user's websockets; a
 * namespace id: the websockets of users who see that namespace) on every server instance.
 * Websockets receive the event object as one JSON message; long polls of that user answer
 * `{changes, events: true}` so the client knows to look (e.g. at its inbox).
 *
 * Pass the transaction that records what the event is about (e.g. the inbox row): the event is
 * delivered only if and when it commits. Events are wake-ups: a connection that is down when one
 * is sent never gets it, so what must not be missed lives in the database too (the inbox).
 * Payloads over ~7.9 KB are refused (send an id and let the client fetch the rest).
 */
export async function publish(db: Db, target: string, event: HubEvent): Promise<void> {
  if (event.type === 'change') throw new Error("publish: event type 'change' is reserved for journal entries");
  const payload = JSON.stringify({ target, event });
  if (Buffer.byteLength(payload) > MAX_EVENT_BYTES) throw new Error(`publish: event too large for NOTIFY (${Buffer.byteLength(payload)} bytes)`);
  await db.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${payload})`);
}

/** What a namespace's watchers learn when its journal moved on. */
export interface JournalWake {
  /** The namespace's newest seq (0: no entry yet). */
  head: number;
  /** When set, `entries` are all the entries after this seq, up to `head`. */
  after: number | null;
  entries: ChangeEntry[] | null;
  /** `entries` as websocket messages, serialised once for every socket. */
  messages: string[] | null;
}

export interface Watcher {
  /** Ask the hub to fetch new entries for the wake (websockets); long polls only need the head. */
  wantsEntries?: boolean;
  onJournal?(wake: JournalWake): void;
  onEvent?(event: HubEvent): void;
  /** The hub is stopping: answer and let go. */
  onClose?(): void;
}

interface Target {
  watchers: Set<Watcher>;
  /** Watchers with onJournal: only these make a journal read worth it. */
  journalWatchers: number;
  entryWatchers: number;
  /** The head the last wake announced (null: not read yet). */
  head: number | null;
  busy: boolean;
  dirty: boolean;
}

export interface HubOptions {
  /** Connections (long polls + websockets) above which long polls carry a `backoff` hint. */
  busyConnections?: number;
  watchdogMs?: number;
  /** How often each instance repeats the list of devices connected to it. */
  presenceAnnounceMs?: number;
  /** Entries a wake carries at most; a websocket further behind reads on its own. */
  fanoutPage?: number;
  /** Grouped events: quiet time before one is delivered, and the longest a burst is held. */
  groupMs?: number;
  groupMaxMs?: number;
}

export class SyncHub {
  readonly presence: Presence;
  busyConnections: number;
  private readonly db: Db;
  private readonly targets = new Map<string, Target>();
  private readonly id = randomUUID();
  private readonly fanoutPage: number;
  private readonly watchdogMs: number;
  private connections = 0;
  private readonly byKind = { longpoll: 0, websocket: 0 };
  private unlisten: Unlisten[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private pingOutstanding = false;
  private stopped = false;
  private dismissed = false;
  private readonly grouped = new Map<string, { first: number; timer: NodeJS.Timeout }>();
  private readonly groupMs: number;
  private readonly groupMaxMs: number;

  constructor(
    private readonly database: Database,
    opts: HubOptions = {},
  ) {
    this.db = database.db;
    this.busyConnections = opts.busyConnections ?? 10_000;
    this.fanoutPage = opts.fanoutPage ?? 500;
    this.watchdogMs = opts.watchdogMs ?? 30_000;
    this.groupMs = opts.groupMs ?? 1_000;
    this.groupMaxMs = opts.groupMaxMs ?? 60_000;
    this.presence = new Presence(this.db, opts.presenceAnnounceMs);
  }

  async start(): Promise<void> {
    await this.subscribe();
    await this.presence.start();
    this.watchdog = setInterval(() => void this.checkListener(), this.watchdogMs);
    this.watchdog.unref();
  }

  /**
   * Shutting down, first step: every waiting long poll answers and every websocket is told to go;
   * a watch made from now on is told so at once. The hub still listens until `stop`.
   */
  dismiss(): void {
    this.dismissed = true;
    for (const t of this.targets.values()) each(t.watchers, (w) => w.onClose?.());
    this.targets.clear();
  }

  /** Stop listening (dismissing every connection first, if that was not done). */
  async stop(): Promise<void> {
    for (const g of this.grouped.values()) clearTimeout(g.timer);
    this.grouped.clear();
    this.dismiss();
    this.stopped = true;
    clearInterval(this.watchdog);
    await this.presence.stop();
    await Promise.all(this.unlisten.map((u) => u().catch(() => undefined)));
    this.unlisten = [];
  }

  /** Watch a namespace's journal and/or events for a target; call the answer to stop. */
  watch(target: string, w: Watcher): () => void {
    if (this.dismissed) {
      // After the caller has finished setting up (a long poll registers several things at once).
      queueMicrotask(() => each(new Set([w]), (x) => x.onClose?.()));
      return () => {};
    }
    let t = this.targets.get(target);
    if (!t) {
      t = { watchers: new Set(), journalWatchers: 0, entryWatchers: 0, head: null, busy: false, dirty: false };
      this.targets.set(target, t);
    }
    t.watchers.add(w);
    if (w.onJournal) t.journalWatchers++;
    if (w.wantsEntries && t.entryWatchers++ === 0 && t.head === null) {
      // Learn the head now, so the next wake can carry the new entries to every socket at once
      // (otherwise each socket would read them itself, one query per socket).
      void this.refresh(target, t);
    }
    const held = t;
    return () => {
      if (!held.watchers.delete(w)) return;
      if (w.onJournal) held.journalWatchers--;
      if (w.wantsEntries) held.entryWatchers--;
      if (held.watchers.size === 0 && !held.busy && this.targets.get(target) === held) this.targets.delete(target);
    };
  }

  /** Count a held connection (for the backoff hint and the metrics); call the answer when it ends. */
  hold(kind: 'longpoll' | 'websocket'): () => void {
    this.connections++;
    this.byKind[kind]++;
    let done = false;
    return () => {
      if (!done) {
        this.connections--;
        this.byKind[kind]--;
      }
      done = true;
    };
  }

  /** Long polls and websockets held open now (the metrics' gauge). */
  openConnections(): { longPolls: number; websockets: number } {
    return { longPolls: this.byKind.longpoll, websockets: this.byKind.websocket };
  }

  get heldConnections(): number {
    return this.connections;
  }

  /** Seconds a long-polling client should wait before its next poll, when this process is busy. */
  backoffSeconds(): number | undefined {
    if (this.connections <= this.busyConnections) return undefined;
    return Math.min(60, Math.ceil((5 * this.connections) / this.busyConnections));
  }

  /** Re-read a namespace's head (and new entries) and wake its watchers. Coalesces bursts. */
  poke(namespaceId: string): void {
    const t = this.targets.get(namespaceId);
    if (t) void this.refresh(namespaceId, t);
  }

  private pokeAll(): void {
    for (const key of this.targets.keys()) this.poke(key);
  }

  private async refresh(namespaceId: string, t: Target): Promise<void> {
    if (t.busy) {
      t.dirty = true;
      return;
    }
    t.busy = true;
    try {
      do {
        t.dirty = false;
        if (t.journalWatchers === 0 || this.stopped) break;
        const wake = await this.wakeFor(namespaceId, t);
        t.head = wake.head;
        each(t.watchers, (w) => w.onJournal?.(wake));
      } while (t.dirty);
    } catch (err) {
      logError(`sync hub: reading the journal of ${namespaceId} failed`, err);
    } finally {
      t.busy = false;
      if (t.watchers.size === 0 && this.targets.get(namespaceId) === t) this.targets.delete(namespaceId);
    }
  }

  private async wakeFor(namespaceId: string, t: Target): Promise<JournalWake> {
    const known = t.head;
    if (t.entryWatchers > 0 && known !== null) {
      const page = await readChanges(this.db, namespaceId, known, this.fanoutPage);
      if (!page.hasMore) {
        const messages = page.entries.map((entry) => JSON.stringify({ type: 'change', entry }));
        return { head: page.cursor, after: known, entries: page.entries, messages };
      }
    }
    const { head } = await journalBounds(this.db, namespaceId);
    return { head: head ?? 0, after: null, entries: null, messages: null };
  }

  private onJournalPayload(payload: string): void {
    if (payload.startsWith('ping:')) {
      if (payload === `ping:${this.id}`) this.pingOutstanding = false;
      return;
    }
    this.poke(payload);
  }

  private onEventPayload(payload: string): void {
    let msg: { target?: unknown; event?: unknown };
    try {
      msg = JSON.parse(payload) as typeof msg;
    } catch {
      return;
    }
    const event = msg.event as HubEvent | undefined;
    if (typeof msg.target !== 'string' || typeof event?.type !== 'string') return;
    if (typeof event.groupKey === 'string') return this.deliverGrouped(msg.target, event);
    const t = this.targets.get(msg.target);
    if (t) each(t.watchers, (w) => w.onEvent?.(event));
  }

  /**
   * Grouped events (a shared folder's activity: sharing/activity.ts publishes one per change, each
   * carrying the running count) reach the connections once the burst pauses for `groupMs` (at
   * most `groupMaxMs` after its first): a sync of 1,000 files is one push, with the last count.
   */
  private deliverGrouped(target: string, event: HubEvent): void {
    const key = `${target}|${event.groupKey as string}`;
    const pending = this.grouped.get(key);
    const first = pending?.first ?? Date.now();
    if (pending) clearTimeout(pending.timer);
    const wait = Math.max(0, Math.min(this.groupMs, first + this.groupMaxMs - Date.now()));
    const timer = setTimeout(() => {
      this.grouped.delete(key);
      const t = this.targets.get(target);
      if (t) each(t.watchers, (w) => w.onEvent?.(event));
    }, wait);
    timer.unref();
    this.grouped.set(key, { first, timer });
  }

  private async subscribe(): Promise<void> {
    // Each (re)subscription re-reads every watched namespace: what was sent meanwhile is lost.
    this.unlisten = [
      await this.database.listen(JOURNAL_CHANNEL, guarded((p) => this.onJournalPayload(p)), guarded(() => this.pokeAll())),
      await this.database.listen(EVENTS_CHANNEL, guarded((p) => this.onEventPayload(p))),
      await this.database.listen(PRESENCE_CHANNEL, guarded((p) => this.presence.onMessage(p))),
    ];
  }

  /** The previous ping never came back: the LISTEN connection is broken; subscribe afresh. */
  private async checkListener(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.pingOutstanding) {
        log.warn('sync hub: no notification came back from the database; listening again');
        await Promise.all(this.unlisten.map((u) => u().catch(() => undefined)));
        await this.subscribe();
      }
      this.pingOutstanding = true;
      await this.db.execute(sql`select pg_notify(${JOURNAL_CHANNEL}, ${`ping:${this.id}`})`);
    } catch (err) {
      logError('sync hub: watchdog failed', err);
    }
  }
}

/** Call `fn` for each watcher (a copy of the set: a callback may unwatch); one that throws is logged, the others still run. */
function each(watchers: Set<Watcher>, fn: (w: Watcher) => void): void {
  for (const w of [...watchers]) {
    try {
      fn(w);
    } catch (err) {
      logError('sync hub: a watcher failed', err);
    }
  }
}

/** A LISTEN callback that cannot throw into the database driver's connection handling. */
function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      fn(...args);
    } catch (err) {
      logError('sync hub: handling a notification failed', err);
    }
  };
}

/** Boot: start the hub of this process (boot/server.ts hands it to the routes and websockets in AppDeps). */
export async function startHub(database: Database, opts?: HubOptions): Promise<SyncHub> {
  const hub = new SyncHub(database, opts);
  await hub.start();
  return hub;
}
