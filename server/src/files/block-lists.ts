/**
 * Many files' block lists at once (`POST /revisions/blocks/batch`, issue 20), in a few statements
 * whatever their number: the files, their versions and the versions' blocks, each read in one go.
 * A file that is not plainly served that way (missing, not readable, a folder, no such revision)
 * is answered by the per-file path (entryById, versionOf), so its refusal is exactly what
 * GET /revisions/blocks would say.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { BlockListResult } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { blocks as blocksTable, files, fileVersions, versionBlocks } from '../db/schema.js';
import { batchItemError, HttpError } from '../http-errors.js';
import { can } from './access.js';
import { blockListOf, headModifiedAt, versionOf } from './revisions.js';
import { entryById } from './tree.js';

export async function blockListsOf(db: Db, user: AuthUser, asks: readonly { id: string; rev?: number }[]): Promise<BlockListResult[]> {
  const ids = [...new Set(asks.map((a) => a.id))];
  const rows = new Map((await db.select().from(files).where(inArray(files.id, ids))).map((r) => [r.id, r]));
  const readable = new Map<string, boolean>();
  for (const r of rows.values()) readable.set(r.id, !r.isDir && (await can(db, user, 'read', r)));
  const wanted = new Set(asks.flatMap((a) => (readable.get(a.id) ? [`${a.id}:${a.rev ?? rows.get(a.id)!.rev}`] : [])));
  const versions = new Map<string, typeof fileVersions.$inferSelect>();
  const readableIds = [...readable].filter(([, ok]) => ok).map(([id]) => id);
  if (readableIds.length > 0) {
    // The versions of these files at the revisions asked, the exact pairs kept.
    const revs = [...new Set([...wanted].map((k) => Number(k.slice(k.indexOf(':') + 1))))];
    const vs = await db.select().from(fileVersions).where(and(inArray(fileVersions.fileId, readableIds), inArray(fileVersions.rev, revs)));
    for (const v of vs) if (wanted.has(`${v.fileId}:${v.rev}`)) versions.set(`${v.fileId}:${v.rev}`, v);
  }
  const lists = new Map<string, { hash: string; size: number }[]>();
  const versionIds = [...versions.values()].map((v) => v.id);
  for (let i = 0; i < versionIds.length; i += 1000) {
    const bs = await db
      .select({ versionId: versionBlocks.versionId, hash: blocksTable.hash, size: versionBlocks.length })
      .from(versionBlocks)
      .innerJoin(blocksTable, eq(blocksTable.key, versionBlocks.blockKey))
      .where(inArray(versionBlocks.versionId, versionIds.slice(i, i + 1000)))
      .orderBy(asc(versionBlocks.versionId), asc(versionBlocks.ordinal));
    for (const b of bs) {
      let l = lists.get(b.versionId);
      if (!l) lists.set(b.versionId, (l = []));
      l.push({ hash: b.hash, size: b.size });
    }
  }
  const out: BlockListResult[] = [];
  for (const a of asks) {
    const row = rows.get(a.id);
    const rev = a.rev ?? row?.rev;
    const v = row && readable.get(a.id) && rev !== undefined && rev > 0 ? versions.get(`${a.id}:${rev}`) : undefined;
    if (!row || !v) {
      out.push(await oneByOne(db, user, a));
      continue;
    }
    const blocks = { rev: v.rev, size: v.size, contentHash: v.contentHash, blocks: lists.get(v.id) ?? [] };
    out.push({ ok: true, blocks, ...headModifiedAt(row, v) });
  }
  return out;
}

/** What GET /revisions/blocks answers for one file: its list, or its refusal. */
async function oneByOne(db: Db, user: AuthUser, a: { id: string; rev?: number }): Promise<BlockListResult> {
  try {
    const row = await entryById(db, user, a.id, 'read');
    const v = await versionOf(db, row, a.rev);
    const blocks = { rev: v.rev, size: v.size, contentHash: v.contentHash, blocks: await blockListOf(db, v) };
    return { ok: true, blocks, ...headModifiedAt(row, v) };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { ok: false, error: batchItemError(err) };
  }
}
