/**
 * Reading a block by hash is allowed only through a file: the block must belong to a version of
 * a file the caller may read (files/access.ts `can`). Holding a hash proves nothing, so a block
 * that was only uploaded, or that sits in someone else's namespace, answers 404 like a missing one.
 */
import { eq, inArray } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files, fileVersions, versionBlocks } from '../db/schema.js';
import { can, grantsOf } from '../files/access.js';
import { NotFoundError } from '../http-errors.js';
import type { Storage } from '../storage.js';

/** Files referencing one block looked at per namespace: one readable is enough. */
const CANDIDATES = 100;

/** The namespaces whose blocks the caller might reach: their own and those of what is shared with them.
 *  (A recipient's uploads into a share keep their blocks in the recipient's namespace: also their own.) */
export async function namespacesOf(db: Db, user: AuthUser): Promise<string[]> {
  return [...new Set([user.namespaceId, ...(await grantsOf(db, user)).map((g) => g.namespaceId)])];
}

/** The stored key of the block with this hash the caller may read, or 404. */
export async function readableBlockKey(db: Db, storage: Storage, user: AuthUser, hash: string): Promise<string> {
  for (const namespaceId of await namespacesOf(db, user)) {
    const key = storage.blocks.keyFor(namespaceId, hash);
    const rows = await db
      .select({ file: files })
      .from(versionBlocks)
      .innerJoin(fileVersions, eq(fileVersions.id, versionBlocks.versionId))
      .innerJoin(files, eq(files.id, fileVersions.fileId))
      .where(eq(versionBlocks.blockKey, key))
      .limit(CANDIDATES);
    const seen = new Set<string>();
    for (const { file } of rows) {
      if (seen.has(file.id)) continue;
      seen.add(file.id);
      if (await can(db, user, 'read', file)) return key;
    }
  }
  throw new NotFoundError('no readable file has a block with that hash', { code: 'block_not_found' });
}

export interface ReadableBlock {
  hash: string;
  key: string;
  size: number;
}

/** readableBlockKey for many hashes at once: a statement per thousand keys and namespace, `can` once
 *  per file. The blocks among `hashes` the caller may read, in order, each once; the others are absent. */
export async function findReadable(db: Db, storage: Storage, user: AuthUser, hashes: readonly string[]): Promise<ReadableBlock[]> {
  const wanted = [...new Set(hashes)];
  const found = new Map<string, ReadableBlock>();
  const readable = new Map<string, Promise<boolean>>(); // by file id: `can` once per file
  for (const namespaceId of await namespacesOf(db, user)) {
    const hashOfKey = new Map<string, string>();
    for (const h of wanted) if (!found.has(h)) hashOfKey.set(storage.blocks.keyFor(namespaceId, h), h);
    const keys = [...hashOfKey.keys()];
    for (let i = 0; i < keys.length; i += 1000) {
      // The file's id and namespace only: a file of the caller's own namespace is readable without
      // a grant (`can`), and a restore of a tree read and mapped a whole file row per version of each block.
      const rows = await db
        .select({ key: versionBlocks.blockKey, size: versionBlocks.length, fileId: files.id, namespaceId: files.namespaceId })
        .from(versionBlocks)
        .innerJoin(fileVersions, eq(fileVersions.id, versionBlocks.versionId))
        .innerJoin(files, eq(files.id, fileVersions.fileId))
        .where(inArray(versionBlocks.blockKey, keys.slice(i, i + 1000)));
      // Whole rows only of the others' files, which a grant may make readable.
      const others = [...new Set(rows.filter((r) => r.namespaceId !== user.namespaceId).map((r) => r.fileId))];
      const other = new Map<string, typeof files.$inferSelect>();
      for (let j = 0; j < others.length; j += 1000) {
        for (const f of await db.select().from(files).where(inArray(files.id, others.slice(j, j + 1000)))) other.set(f.id, f);
      }
      for (const r of rows) {
        const hash = hashOfKey.get(r.key)!;
        if (found.has(hash)) continue;
        let ok = readable.get(r.fileId);
        if (!ok) {
          const file = other.get(r.fileId);
          ok = r.namespaceId === user.namespaceId ? Promise.resolve(true) : file ? can(db, user, 'read', file) : Promise.resolve(false);
          readable.set(r.fileId, ok);
        }
        if (await ok) found.set(hash, { hash, key: r.key, size: r.size });
      }
    }
  }
  return wanted.flatMap((h) => found.get(h) ?? []);
}
