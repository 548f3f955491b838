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

/** A copy gets its source's dead properties. */
export async function copyProps(tx: Db, fromId: string, toId: string): Promise<void> {
  await tx.execute(sql`insert into webdav_props (file_id, ns, name, value)
    select ${toId}::uuid, ns, name, value from webdav_props where file_id = ${fromId}::uuid
    on conflict (file_id, ns, name) do update set value = excluded.value`);
}
