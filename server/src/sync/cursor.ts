/**
 * Cursors: what a client may send, and whether the journal can still serve it.
 *
 * Retention horizon: every cursor the server hands out is 0 or the seq of an entry of the
 * caller's namespace (a page's last entry, or /changes/latest's head). Entries are never
 * deleted except by journal pruning (journal-retention.ts), which always keeps a namespace's newest
 * entry. So a cursor c > 0 is servable exactly when oldest ≤ c ≤ head over the entries the
 * journal still holds for the namespace:
 * - c < oldest: entries after c were pruned (or c came from another namespace): reset;
 * - c > head: c is from a future this journal never had (a database restored from a backup,
 *   another server's cursor): reset.
 * A reset is a 410 with code `reset`; the client starts over: GET /changes/latest, list the tree
 * (GET /list), then follow changes from that cursor. Cursor 0 means "from the oldest entry held".
 * What a client may send as a cursor is checked at the edge (`journalCursor` in @coffer/protocol).
 */
import type { Db } from '../db/open.js';
import { HttpError } from '../http-errors.js';
import { journalBounds } from './changes.js';

export class CursorResetError extends HttpError {
  constructor(message: string, head: number) {
    super(410, 'reset', message, { details: { latestCursor: head } });
  }
}

/** Throws 410 `reset` unless the namespace's journal can serve `cursor`; answers the namespace's head (0: empty). */
export async function checkCursor(db: Db, namespaceId: string, cursor: number): Promise<number> {
  const { oldest, head } = await journalBounds(db, namespaceId);
  if (cursor === 0) return head ?? 0;
  if (head === null || cursor > head) {
    throw new CursorResetError(
      `cursor ${cursor} is ahead of this server's journal (restored from a backup, or from another server): start over from GET /changes/latest after listing the tree`,
      head ?? 0,
    );
  }
  if (oldest !== null && cursor < oldest) {
    throw new CursorResetError(
      `cursor ${cursor} is older than the journal keeps: start over from GET /changes/latest after listing the tree`,
      head,
    );
  }
  return head;
}
