/**
 * A folder link downloads as one zip, streamed: client-zip writes each entry as its bytes come
 * from the engine (stored, not compressed: most of a drive is compressed already, and it keeps the
 * server's CPU for the engine), with zip64 records past 4 GiB. Nothing is held but the block being
 * copied, so a folder of any size costs the server the same memory. The exact length is known
 * beforehand (predictLength), so clients see a Content-Length and a progress bar.
 */
import { inArray } from 'drizzle-orm';
import { makeZip, predictLength } from 'client-zip';
import { files } from '../db/schema.js';
import type { AppDeps } from '../deps.js';
import { liveDescendants } from '../files/subtree.js';
import { blocksOfVersion } from '../files/versions.js';
import type { FileRow } from '../files/view.js';

interface ZipItem {
  name: string;
  lastModified: Date;
  size?: number;
  versionId?: string;
}

/** The folder's live entries, as zip names under the folder's own name; files still uploading their first revision are left out. */
async function zipItems(deps: AppDeps, folder: FileRow): Promise<ZipItem[]> {
  const rows = await liveDescendants(deps.db, folder.id);
  const times = await modifiedTimes(deps, rows.map((r) => r.id));
  const names = new Map<string, string>([[folder.id, folder.name]]);
  const items: ZipItem[] = [{ name: `${folder.name}/`, lastModified: folder.modifiedAt }];
  for (const r of rows) {
    const parent = names.get(r.parentId);
    if (parent === undefined) continue; // under something left out
    const name = `${parent}/${r.name}`;
    if (r.isDir) {
      names.set(r.id, name);
      items.push({ name: `${name}/`, lastModified: times.get(r.id) ?? folder.modifiedAt });
    } else if (r.headVersionId !== null && r.rev > 0) {
      items.push({ name, lastModified: times.get(r.id) ?? folder.modifiedAt, size: r.size, versionId: r.headVersionId });
    }
  }
  return items;
}

export async function folderZip(deps: AppDeps, folder: FileRow): Promise<{ stream: ReadableStream<Uint8Array>; length: number }> {
  const items = await zipItems(deps, folder);
  const length = Number(predictLength(items.map((i) => (i.size === undefined ? { name: i.name, lastModified: i.lastModified } : { name: i.name, lastModified: i.lastModified, size: i.size }))));
  const entries = items.map((i) =>
    i.versionId === undefined ? { name: i.name, lastModified: i.lastModified } : { name: i.name, lastModified: i.lastModified, size: i.size!, input: contentOf(deps, i.versionId) },
  );
  return { stream: makeZip(entries), length };
}

/** Each entry's modification time (what the zip shows), a chunk of ids per query. */
async function modifiedTimes(deps: AppDeps, ids: readonly string[]): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await deps.db
      .select({ id: files.id, modifiedAt: files.modifiedAt })
      .from(files)
      .where(inArray(files.id, ids.slice(i, i + 1000)));
    for (const r of rows) out.set(r.id, r.modifiedAt);
  }
  return out;
}

/** A file's bytes, read only when the zip reaches it. */
async function* contentOf(deps: AppDeps, versionId: string): AsyncGenerator<Uint8Array> {
  const blocks = await blocksOfVersion(deps.db, versionId);
  yield* deps.storage.files.read(blocks);
}
