/** Modification times clients keep (X-OC-Mtime on PUT, Win32LastModifiedTime in PROPPATCH): the entry's `modifiedAt`. */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';

export async function setModifiedTime(db: Db, fileId: string, at: Date): Promise<void> {
  await db.update(files).set({ modifiedAt: at }).where(eq(files.id, fileId));
}

/** X-OC-Mtime: Unix seconds (rclone, ownCloud/Nextcloud clients); undefined when absent or not a time. */
export function mtimeHeader(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d{1,12}(\.\d{1,9})?$/.test(value.trim())) return undefined;
  const at = new Date(Math.round(Number(value.trim()) * 1000));
  return Number.isNaN(at.getTime()) ? undefined : at;
}
