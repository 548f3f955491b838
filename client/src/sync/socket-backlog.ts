/**
 * The journal entries the live event socket delivered, kept for the next pass's first catch-up.
 *
 * The socket, resumed after a cursor, sends every entry after it in seq order, each once, none
 * skipped: exactly what GET /changes would page through. So once it has delivered its backlog
 * (`synced`), the entries it brought since are the journal after the cursor as of a moment ago,
 * and a pass the socket (or a local change) woke can start from them instead of a `changes` round
 * trip — one round trip fewer before a new file goes up on one device and before it comes down on
 * the other (issue 21's 100 ms). The picture is then as fresh as the socket, as it would be had
 * the pass started a moment earlier; every remote step stays conditional on the revision seen.
 * Catch-ups that must reach past a known point (after this device's own commit) still ask.
 */
import type { ChangeEntry } from '@coffer/protocol';

/** Entries held at most; past it they are dropped and the next catch-up asks the server again. */
const MAX_HELD = 5_000;

export class SocketBacklog {
  /** The stream holds every entry after this seq (undefined: no usable stream). */
  #from: number | undefined;
  #synced = false;
  #entries: ChangeEntry[] = [];

  /** A socket was opened, to resume after `cursor`. */
  opened(cursor: number): void {
    this.#from = cursor;
    this.#synced = false;
    this.#entries = [];
  }

  /** The socket delivered its backlog: from here it is live. */
  synced(): void {
    if (this.#from !== undefined) this.#synced = true;
  }

  /** The socket closed or was told to reset: nothing it brought can be trusted to be complete. */
  lost(): void {
    this.#from = undefined;
    this.#synced = false;
    this.#entries = [];
  }

  /** Whether the socket is live (its backlog delivered). */
  get live(): boolean {
    return this.#from !== undefined && this.#synced;
  }

  add(e: ChangeEntry): void {
    if (this.#from === undefined) return;
    if (e.seq <= (this.#entries.at(-1)?.seq ?? this.#from)) return; // not past what it holds: never expected
    this.#entries.push(e);
    if (this.#entries.length > MAX_HELD) {
      // Nobody took them (passes catching up by asking): the stream goes on after the last one.
      this.#from = e.seq;
      this.#entries = [];
    }
  }

  /**
   * The entries after `cursor` when the live stream covers everything after it (then they are
   * taken: the caller applies them and moves its cursor to the last one); undefined when the
   * caller must ask the server.
   */
  take(cursor: number): ChangeEntry[] | undefined {
    if (!this.live || this.#from! > cursor) return undefined;
    const out = this.#entries.filter((e) => e.seq > cursor);
    this.#from = Math.max(cursor, this.#entries.at(-1)?.seq ?? cursor);
    this.#entries = [];
    return out;
  }
}
