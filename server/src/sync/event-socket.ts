/**
 * One websocket on /api/v1/events. Messages are JSON objects with a `type`.
 *
 * Client → server:
 *   {"type":"resume","cursor":N}   send the changes after N, then live ones (omit cursor: from now)
 *   {"type":"ping"}                → {"type":"pong"} (the server also pings at the protocol level)
 * Server → client:
 *   {"type":"change","entry":ChangeEntry}      in seq order, each once, none skipped
 *   {"type":"synced","cursor":N}               the backlog after a resume is delivered; live from here
 *   {"type":"reset","message","latestCursor"}  the cursor is too old (or from elsewhere): list the tree and resume from latestCursor
 *   {"type":"error","code","message"}          a message the server did not understand (the socket stays open)
 *   events published to the user (sync/hub.ts `publish`), e.g. {"type":"notification",…}, as they come
 */
import type { RawData, WebSocket } from 'ws';
import { ClientMessage } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { componentLogger, logError as logErrorTo } from '../observability/log.js';
import { readChanges, type ChangeEntry } from './changes.js';
import { checkCursor, CursorResetError } from './cursor.js';
import type { HubEvent, JournalWake, SyncHub } from './hub.js';
import { recordDeviceCursor } from './presence.js';

const log = componentLogger('websocket');
const logError = (context: string, err: unknown) => logErrorTo(context, err, log);

/** Entries read per query while catching up. */
const PAGE = 500;
/** A device's cursor is written at most this often while its socket is live (and once at close). */
const CURSOR_SAVE_MS = 5_000;

export class EventSocket {
  /** Heartbeats since the peer last showed life (a pong or any message). */
  missedPings = 0;
  /** Last seq delivered; null until the client resumes. */
  private cursor: number | null = null;
  private resumed = false;
  private reading = false;
  private again = false;
  private closed = false;
  private savedCursor: number | null = null;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly cleanups: (() => void)[] = [];
  private onFinished!: () => void;
  /** Resolves once the socket has closed and its cursor is saved (shutdown waits for it). */
  readonly finished = new Promise<void>((r) => (this.onFinished = r));

  constructor(
    readonly ws: WebSocket,
    private readonly user: AuthUser,
    private readonly db: Db,
    private readonly hub: SyncHub,
  ) {
    this.cleanups.push(
      hub.watch(user.id, { onEvent: (e) => this.onEvent(e), onClose: () => ws.close(1001, 'server shutting down') }),
      hub.hold('websocket'),
      hub.presence.connect(user.deviceId),
    );
    ws.on('pong', () => (this.missedPings = 0));
    ws.on('message', (data, isBinary) => {
      this.missedPings = 0;
      void this.onMessage(data, isBinary).catch((err: unknown) => {
        logError('events: handling a message failed', err);
        ws.close(1011, 'internal error');
      });
    });
    ws.on('close', () => this.dispose());
    ws.on('error', () => ws.terminate());
  }

  private send(msg: unknown): void {
    if (!this.closed) this.ws.send(JSON.stringify(msg));
  }

  private onEvent(e: HubEvent): void {
    this.send(e);
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    let value: unknown;
    try {
      value = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      value = undefined;
    }
    const parsed = ClientMessage.safeParse(value);
    if (!parsed.success) {
      this.send({ type: 'error', code: 'invalid_message', message: 'expected {"type":"resume","cursor":N} or {"type":"ping"}' });
      return;
    }
    if (parsed.data.type === 'ping') return this.send({ type: 'pong' });
    if (this.resumed) {
      this.send({ type: 'error', code: 'already_resumed', message: 'this socket already follows the journal; reconnect to resume from another cursor' });
      return;
    }
    this.resumed = true; // before any await: a second resume racing the first is refused too
    await this.resume(parsed.data.cursor);
  }

  private async resume(requested: number | undefined): Promise<void> {
    let head: number;
    try {
      head = await checkCursor(this.db, this.user.namespaceId, requested ?? 0);
    } catch (err) {
      if (!(err instanceof CursorResetError)) throw err;
      this.send({ type: 'reset', message: err.message, ...(err.details as object) });
      this.resumed = false; // the client may resume again, e.g. from latestCursor after listing the tree
      return;
    }
    if (this.closed) return;
    // Watch before the first read, so a commit landing while the backlog is read is not lost.
    this.cleanups.push(this.hub.watch(this.user.namespaceId, { wantsEntries: true, onJournal: (w) => this.onJournal(w) }));
    this.cursor = requested ?? head;
    await this.pull();
    this.send({ type: 'synced', cursor: this.cursor });
  }

  private onJournal(w: JournalWake): void {
    if (this.cursor === null || this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    // The hub read the new entries once for every socket; use them when they continue our cursor.
    if (w.entries && w.messages && w.after !== null && w.after <= this.cursor) {
      const from = w.entries.findIndex((e) => e.seq > this.cursor!);
      if (from >= 0) void this.deliver(w.entries.slice(from), w.messages.slice(from));
      if (w.head <= this.cursor) return;
    }
    if (w.head > this.cursor) void this.pull();
  }

  /** Read and send everything after the cursor, page by page, until nothing is left. */
  private async pull(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        let page;
        do {
          page = await readChanges(this.db, this.user.namespaceId, this.cursor!, PAGE);
          // Backpressure: the next page is read once this one is handed to the kernel.
          await this.deliver(page.entries);
        } while (page.hasMore && !this.closed);
      } while (this.again && !this.closed);
    } catch (err) {
      logError('events: reading the journal failed', err);
      this.ws.close(1011, 'internal error');
    } finally {
      this.reading = false;
    }
  }

  /** Send entries in order (`encoded`: their messages, when already serialised); resolves when
   *  the last one is written out. */
  private deliver(entries: ChangeEntry[], encoded?: string[]): Promise<void> {
    if (entries.length === 0 || this.closed) return Promise.resolve();
    const messages = encoded ?? entries.map((entry) => JSON.stringify({ type: 'change', entry }));
    const last = messages.length - 1;
    for (let i = 0; i < last; i++) this.ws.send(messages[i]!);
    const written = new Promise<void>((r) => this.ws.send(messages[last]!, () => r()));
    this.cursor = entries[last]!.seq;
    if (this.user.deviceId && !this.saveTimer) {
      this.saveTimer = setTimeout(() => void this.saveCursor(), CURSOR_SAVE_MS);
      this.saveTimer.unref();
    }
    return written;
  }

  private async saveCursor(): Promise<void> {
    this.saveTimer = undefined;
    const cursor = this.cursor;
    if (!this.user.deviceId || cursor === null || cursor === this.savedCursor) return;
    this.savedCursor = cursor;
    await recordDeviceCursor(this.db, this.user.deviceId, cursor).catch((err: unknown) => logError('events: saving the device cursor failed', err));
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.cleanups) c();
    clearTimeout(this.saveTimer);
    void this.saveCursor().finally(this.onFinished);
  }
}
