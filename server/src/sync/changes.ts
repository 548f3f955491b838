/**
 * Reading the change journal of a namespace: pages in seq order after a cursor. A cursor is
 * the seq of the last entry a device has seen (0: before the first). Within a namespace seq
 * order is commit order (files/journal.ts), so "after my cursor" never skips a late commit.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { journal } from '../db/schema.js';
import type { JournalOp } from '../files/journal.js';
import { MAX_CHANGE_BLOCKS, type ChangeEntry } from '@coffer/protocol';

/** One change as devices see it (the protocol's `ChangeEntry`); path and details as they were at the time. */
export type { ChangeEntry };

export interface ChangePage {
  entries: ChangeEntry[];
  /** Pass back to continue after the last entry given (unchanged when there was none). */
  cursor: number;
  hasMore: boolean;
}

type JournalRow = typeof journal.$inferSelect;

const FILE_OPS = new Set<JournalOp>(['create', 'update', 'restore', 'pending']);

export function toChangeEntry(r: JournalRow): ChangeEntry {
  const p = r.payload;
  const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const e: ChangeEntry = { seq: r.seq, op: r.op, fileId: r.fileId, rev: r.rev, name: str('name') ?? '', deviceId: r.deviceId, at: r.at.toISOString() };
  const path = str('path') ?? str('to');
  if (path !== undefined) e.path = path;
  if ('parentId' in p) e.parentId = (p.parentId as string | null) ?? null;
  const isDir = typeof p.isDir === 'boolean' ? p.isDir : r.op === 'mkdir' ? true : FILE_OPS.has(r.op) ? false : undefined;
  if (isDir !== undefined) e.isDir = isDir;
  if (typeof p.size === 'number') e.size = p.size;
  const hash = str('contentHash');
  if (hash !== undefined) e.contentHash = hash;
  const blocks = blockListOf(p.blocks);
  const modifiedAt = str('modifiedAt');
  if (blocks && modifiedAt !== undefined) {
    e.blocks = blocks;
    e.modifiedAt = modifiedAt;
  }
  if (r.op === 'move') {
    const from = str('from');
    if (from !== undefined) e.from = from;
    if ('oldParentId' in p) e.oldParentId = (p.oldParentId as string | null) ?? null;
  }
  return e;
}

/** A payload's block list (journal.ts versionPayload), when it holds a well-formed one. */
function blockListOf(v: unknown): { hash: string; size: number }[] | undefined {
  if (!Array.isArray(v) || v.length > MAX_CHANGE_BLOCKS) return undefined;
  const ok = v.every((b) => typeof b === 'object' && b !== null && typeof b.hash === 'string' && typeof b.size === 'number');
  return ok ? v.map((b: { hash: string; size: number }) => ({ hash: b.hash, size: b.size })) : undefined;
}

/** Up to `limit` entries of the namespace after `cursor`, oldest first. */
export async function readChanges(db: Db, namespaceId: string, cursor: number, limit: number): Promise<ChangePage> {
  const rows = await db
    .select()
    .from(journal)
    .where(and(eq(journal.namespaceId, namespaceId), gt(journal.seq, cursor)))
    .orderBy(asc(journal.seq))
    .limit(limit + 1);
  const hasMore = rows.length > limit;
  const entries = (hasMore ? rows.slice(0, limit) : rows).map(toChangeEntry);
  return { entries, cursor: entries.at(-1)?.seq ?? cursor, hasMore };
}

/** The oldest and newest seq the journal holds for the namespace (null when it holds none).
 *  Both are single index probes (journal_namespace_seq). */
export async function journalBounds(db: Db, namespaceId: string): Promise<{ oldest: number | null; head: number | null }> {
  const [row] = await db
    .select({ oldest: sql<string | null>`min(${journal.seq})`, head: sql<string | null>`max(${journal.seq})` })
    .from(journal)
    .where(eq(journal.namespaceId, namespaceId));
  const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { oldest: num(row?.oldest), head: num(row?.head) };
}
