/**
 * The change journal: every metadata change appends one row in the same transaction as the
 * change itself (DESIGN §5), so a device that replays the journal sees exactly what committed.
 */
import type { Db } from '../db/open.js';
import { journal } from '../db/schema.js';

export type JournalOp = (typeof journal.$inferInsert)['op'];

export interface JournalEntry {
  namespaceId: string;
  fileId: string | null;
  op: JournalOp;
  rev?: number | null;
  deviceId?: string | null;
  payload?: Record<string, unknown>;
}

export async function appendJournal(tx: Db, e: JournalEntry): Promise<number> {
  const [row] = await tx
    .insert(journal)
    .values({ namespaceId: e.namespaceId, fileId: e.fileId, op: e.op, rev: e.rev ?? null, deviceId: e.deviceId ?? null, payload: e.payload ?? {} })
    .returning({ seq: journal.seq });
  return row!.seq;
}
