/**
 * The model's change journal: rows shaped like the server's `journal` rows, turned into answers
 * by the server's own toChangeEntry (so every field is exactly where the server puts it), with
 * its cursor rules (sync/cursor.ts) and a way to wait for the next append (a long poll).
 */
import { CursorResetError, toChangeEntry, type ChangePage, type JournalOp, type JournalRow } from '@coffer/server/rules';
import { NAMESPACE_ID } from './model-tree.js';


/** What an operation records; the payload is exactly what the server's appendJournal call site passes. */
export interface JournalAppend {
  fileId: string | null;
  op: JournalOp;
  rev: number;
  deviceId: string | null;
  payload: Record<string, unknown>;
}

export class Journal {
  readonly #rows: JournalRow[] = [];
  readonly #listeners = new Set<(head: number) => void>();

  /** The newest seq (0: nothing yet). Seqs start at 1 and have no gaps. */
  get head(): number {
    return this.#rows.length;
  }

  append(e: JournalAppend, at: Date): number {
    const seq = this.#rows.length + 1;
    // A copy of the payload: the row must not change when the entry it describes does.
    this.#rows.push({ seq, namespaceId: NAMESPACE_ID, fileId: e.fileId, op: e.op, rev: e.rev, deviceId: e.deviceId, payload: { ...e.payload }, at, mirrorOf: null });
    for (const l of [...this.#listeners]) l(seq);
    return seq;
  }

  /** Throws 410 `reset` unless the journal can serve `cursor` (nothing is pruned: only one ahead of the head); answers the head. */
  check(cursor: number): number {
    if (cursor === 0) return this.head;
    if (this.head === 0 || cursor > this.head) {
      throw new CursorResetError(
        `cursor ${cursor} is ahead of this server's journal (restored from a backup, or from another server): start over from GET /changes/latest after listing the tree`,
        this.head,
      );
    }
    return this.head;
  }

  /** Up to `limit` entries after `cursor`, oldest first. */
  page(cursor: number, limit: number): ChangePage {
    const rows = this.#rows.slice(cursor, cursor + limit + 1);
    const hasMore = rows.length > limit;
    const entries = (hasMore ? rows.slice(0, limit) : rows).map(toChangeEntry);
    return { entries, cursor: entries.at(-1)?.seq ?? cursor, hasMore };
  }

  /** Every row, for the simulation's checks. */
  rows(): readonly JournalRow[] {
    return this.#rows;
  }

  /** `listener(seq)` after each append, until the answered function is called. */
  onAppend(listener: (head: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
