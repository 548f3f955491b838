/** Dead properties (webdav_props): per file, whatever its revision; they follow moves (same row). */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { webdavProps } from '../db/schema.js';

export interface DeadProp {
  ns: string;
  name: string;
  /** The property element as XML (xml.ts serialize). */
  value: string;
}

/** Every dead property of these files, by file id (one query). */
export async function deadPropsOf(db: Db, fileIds: readonly string[]): Promise<Map<string, DeadProp[]>> {
  const out = new Map<string, DeadProp[]>();
  if (fileIds.length === 0) return out;
  const rows = await db.select().from(webdavProps).where(inArray(webdavProps.fileId, [...fileIds]));
  for (const r of rows) {
    const list = out.get(r.fileId) ?? [];
    list.push({ ns: r.ns, name: r.name, value: r.value });
    out.set(r.fileId, list);
  }
  return out;
}

export async function countProps(db: Db, fileId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(webdavProps).where(eq(webdavProps.fileId, fileId));
  return row?.n ?? 0;
}

export async function setProp(tx: Db, fileId: string, p: DeadProp): Promise<void> {
  await tx
    .insert(webdavProps)
    .values({ fileId, ...p })
    .onConflictDoUpdate({ target: [webdavProps.fileId, webdavProps.ns, webdavProps.name], set: { value: p.value } });
}

export async function removeProp(tx: Db, fileId: string, ns: string, name: string): Promise<void> {
  await tx.delete(webdavProps).where(and(eq(webdavProps.fileId, fileId), eq(webdavProps.ns, ns), eq(webdavProps.name, name)));
}

/**
 * A copy gets its source's dead properties: the entry's and, for a folder, each live entry's below
 * it, matched to its copy by the path below the copied folder (one statement).
 */
export async function copyProps(tx: Db, fromId: string, toId: string): Promise<void> {
  await tx.execute(sql`
    with recursive src(id, rel) as (
      select id, ''::text from files where id = ${fromId}::uuid
      union all
      select f.id, src.rel || '/' || f.name_key from files f join src on f.parent_id = src.id where f.trashed_at is null
    ), dst(id, rel) as (
      select id, ''::text from files where id = ${toId}::uuid
      union all
      select f.id, dst.rel || '/' || f.name_key from files f join dst on f.parent_id = dst.id where f.trashed_at is null
    )
    insert into webdav_props (file_id, ns, name, value)
    select dst.id, p.ns, p.name, p.value from src join dst on dst.rel = src.rel join webdav_props p on p.file_id = src.id
    on conflict (file_id, ns, name) do update set value = excluded.value`);
}
