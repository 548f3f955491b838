/**
 * Reading a block by hash is allowed only through a file: the block must belong to a version of
 * a file the caller may read (files/access.ts `can`). Holding a hash proves nothing, so a block
 * that sits in someone else's namespace, or that was only uploaded by someone else, answers 404
 * like a missing one.
 *
 * One exception: a block the caller's own namespace stored for a commit still to come (its quota
 * reservation, quota/reservations.ts, is live). Only an upload into that namespace stores one
 * there, and nothing it could read that way is anyone else's: this is what lets the user's other
 * devices fetch a big file's blocks while it is still uploading (the `uploading` event, issue 21),
 * instead of only after its commit. Blocks such an upload announced are remembered for a while
 * (held-uploads.ts), and those fetches are answered without a statement.
 */
import { and, eq, gt, inArray } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { blocks, files, fileVersions, quotaReservations, versionBlocks } from '../db/schema.js';
import { can, grantsOf } from '../files/access.js';
import { NotFoundError } from '../http-errors.js';
import type { Storage } from '../storage.js';
import { heldUploads } from './held-uploads.js';

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
  const own = storage.blocks.keyFor(user.namespaceId, hash);
  if ((await uploadedForCommit(db, user.namespaceId, [own])).has(own)) return own;
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
  // Blocks of the caller's own upload announced moments ago (an early fetch): no statement needed.
  // Looked for only while any are remembered: otherwise a key (an HMAC) per hash for nothing.
  if (heldUploads.count > 0) {
    for (const hash of wanted) {
      const key = storage.blocks.keyFor(user.namespaceId, hash);
      const size = heldUploads.size(key);
      if (size !== undefined) found.set(hash, { hash, key, size });
    }
    if (found.size === wanted.length) return wanted.map((h) => found.get(h)!);
  }
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
  const rest = new Map(wanted.filter((h) => !found.has(h)).map((h) => [storage.blocks.keyFor(user.namespaceId, h), h]));
  if (rest.size > 0) {
    for (const [key, size] of await uploadedForCommit(db, user.namespaceId, [...rest.keys()])) {
      const hash = rest.get(key)!;
      found.set(hash, { hash, key, size });
    }
  }
  return wanted.flatMap((h) => found.get(h) ?? []);
}

/** Of these keys of `namespaceId`, those stored for a commit still to come (a live block
 *  reservation, and the block stored: a reservation is taken before its block is), with their plaintext size. */
async function uploadedForCommit(db: Db, namespaceId: string, keys: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await db
      .select({ key: quotaReservations.ref, size: blocks.size })
      .from(quotaReservations)
      .innerJoin(blocks, eq(blocks.key, quotaReservations.ref))
      .where(
        and(
          eq(quotaReservations.kind, 'block'),
          eq(quotaReservations.namespaceId, namespaceId),
          inArray(quotaReservations.ref, keys.slice(i, i + 1000)),
          gt(quotaReservations.expiresAt, new Date()),
        ),
      );
    for (const r of rows) out.set(r.key, r.size);
  }
  return out;
}
