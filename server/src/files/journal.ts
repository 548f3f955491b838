/**
 * The change journal: every metadata change appends one row in the same transaction as the
 * change itself (DESIGN §5), so a device that replays the journal sees exactly what committed.
 */
import { sql } from 'drizzle-orm';
import { ROWS_PER_INSERT } from '../db/handle.js';
import { rowsOf, type Db } from '../db/open.js';
import { journal } from '../db/schema.js';
import { MAX_CHANGE_BLOCKS } from '@coffer/protocol';
import type { FileRow } from './view.js';

export type JournalOp = (typeof journal.$inferInsert)['op'];
/** A journal row as read back. */
export type JournalRow = typeof journal.$inferSelect;

export interface JournalEntry {
  namespaceId: string;
  fileId: string | null;
  op: JournalOp;
  rev?: number | null;
  deviceId?: string | null;
  payload?: JournalPayload;
}

/** What an entry of the journal records of the file or folder it is about (sync/changes.ts reads it back). */
export interface JournalPayload {
  /** The name after the change. */
  name: string;
  /** The folder after the change (null: the root); absent when not recorded (purge). */
  parentId?: string | null;
  /** The path after the change, when recorded (trash, restore, purge). */
  path?: string;
  isDir?: boolean;
  /** A version's size and content hash. */
  size?: number;
  contentHash?: string;
  /** The path before a move or a restore; a move's new path and old folder. */
  from?: string;
  to?: string;
  oldParentId?: string | null;
  /** What else the change notes (a purge's counts, `abandoned`, `emptied`). */
  [note: string]: unknown;
}

/**
 * The journal entry of a change to `row`: in its namespace, about it, at its revision (unless
 * `rev` says otherwise), made by `deviceId` (null: no device, e.g. a web session or the server).
 */
export function journalEntry(op: JournalOp, row: Pick<FileRow, 'id' | 'namespaceId' | 'rev'>, deviceId: string | null | undefined, payload: JournalPayload, rev = row.rev): JournalEntry {
  return { namespaceId: row.namespaceId, fileId: row.id, op, rev, deviceId: deviceId ?? null, payload };
}

/** Where an entry is: its name and folder, as most payloads record them. */
export function placeOf(row: Pick<FileRow, 'name' | 'parentId'>): Pick<JournalPayload, 'name' | 'parentId'> {
  return { name: row.name, parentId: row.parentId };
}

/**
 * A committed version's payload (files/versions.ts, and the one-statement first commit of first-version.ts).
 * A small file's block list rides along when the commit named its hashes (issue 21): a device that
 * reads the entry fetches the blocks at once, without asking for the list first.
 */
export function versionPayload(
  row: Pick<FileRow, 'name' | 'parentId'>,
  v: { size: number; contentHash: string; blocks?: readonly { size: number; hash?: string }[] },
  modifiedAt?: Date,
): JournalPayload {
  // With the entry's modifiedAt (the device's mtime), which the device sets on the file it writes.
  const listed =
    modifiedAt && v.blocks && v.blocks.length <= MAX_CHANGE_BLOCKS && v.blocks.every((b) => b.hash !== undefined) ? v.blocks.map((b) => ({ hash: b.hash!, size: b.size })) : undefined;
  return { ...placeOf(row), size: v.size, contentHash: v.contentHash, ...(listed ? { blocks: listed, modifiedAt: modifiedAt!.toISOString() } : {}) };
}

/** NOTIFY channel of journal appends; the payload is the namespace id (sync/hub.ts listens). */
export const JOURNAL_CHANNEL = 'coffer_journal';
/** Arbitrary constant: first key of the per-namespace advisory lock on the journal's tail. */
export const JOURNAL_LOCK_CLASS = 0x6a726e6c; // 'jrnl'

/**
 * Append one entry; must run inside the change's transaction. One statement, three effects:
 *
 * - A per-namespace lock held until commit, taken before the sequence number is drawn. Without
 *   it two transactions could draw seq 10 and 11 and commit 11 first: a reader would move its
 *   cursor past 10 and never see it. With it, within a namespace, seq order is commit order, so
 *   "everything after my cursor" never skips a late commit. (Its own lock class, not the tree
 *   lock: a version commit already holds its file's row lock, and a tree change holding the
 *   tree lock may wait for that row.)
 * - The row itself.
 * - `pg_notify`, delivered to every listening server instance only when the transaction
 *   commits (never for a rollback). Identical payloads within one transaction are folded into
 *   one notification by PostgreSQL, so a change that appends many rows still wakes once.
 */
export async function appendJournal(tx: Db, e: JournalEntry): Promise<number> {
  const payload = JSON.stringify(e.payload ?? {});
  const result = await tx.execute(sql`
    with locked as (select pg_advisory_xact_lock(${JOURNAL_LOCK_CLASS}, hashtext(${e.namespaceId}))),
    appended as (
      insert into journal (namespace_id, file_id, op, rev, device_id, payload)
      select ${e.namespaceId}::uuid, ${e.fileId}::uuid, ${e.op}, ${e.rev ?? null}::int, ${e.deviceId ?? null}::uuid, ${payload}::jsonb
      from locked
      returning seq
    )
    select seq, pg_notify(${JOURNAL_CHANNEL}, ${e.namespaceId}) from appended`);
  return Number(rowsOf<{ seq: string | number }>(result)[0]!.seq);
}

/**
 * Many entries of one namespace, in the order given, with what appendJournal does for one: the
 * namespace's journal lock first, then the rows (seq in that order), then one wake-up.
 */
export async function appendJournalEntries(tx: Db, namespaceId: string, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${JOURNAL_LOCK_CLASS}, hashtext(${namespaceId}))`);
  for (let i = 0; i < entries.length; i += ROWS_PER_INSERT) {
    await tx.insert(journal).values(
      entries.slice(i, i + ROWS_PER_INSERT).map((e) => {
        if (e.namespaceId !== namespaceId) throw new Error('appendJournalEntries: entries of another namespace');
        return { namespaceId, fileId: e.fileId, op: e.op, rev: e.rev ?? null, deviceId: e.deviceId ?? null, payload: e.payload ?? {} };
      }),
    );
  }
  await tx.execute(sql`select pg_notify(${JOURNAL_CHANNEL}, ${namespaceId})`);
}
