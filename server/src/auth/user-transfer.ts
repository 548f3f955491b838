/**
 * An employee leaves (issue 23): their files go to another account and the account is deleted.
 * Everything live in the departing tree is copied under one new folder at the recipient's root
 * ("From <username>") as server-side copies do: the very same blocks (one more reference each,
 * no byte read or rewritten), new entries journaled for the recipient's devices, the sizes charged
 * to the recipient's quota (507, nothing done, when they do not fit). Shares the departing user
 * offered are re-owned by the recipient on the copies (shares to the recipient itself end, their
 * mounts with them). Then the account is deleted; its own namespace is purged after the grace by
 * the departed job (jobs/departed.ts), its data key kept while the copies' blocks need it.
 * One transaction: it all happens or none of it.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { recordAudit, type Actor } from '../audit/record.js';
import type { Db } from '../db/open.js';
import { files, shares, users } from '../db/schema.js';
import { copyFile, hasContent } from '../files/copy.js';
import { createEntry } from '../files/entries.js';
import { liveDescendants, lockTree } from '../files/subtree.js';
import { BadRequestError, NotFoundError } from '../http-errors.js';
import { uniqueName } from '../names.js';
import { checkRoom } from '../quota/usage.js';
import { dropMounts } from '../sharing/shares.js';
import type { AuthUser } from './context.js';

export interface TransferResult {
  folder: string;
  files: number;
  folders: number;
  bytes: number;
  sharesReowned: number;
}

export async function transferAndDeleteUser(db: Db, fromId: string, toId: string, actor?: Actor): Promise<TransferResult> {
  if (fromId === toId) throw new BadRequestError('a user cannot transfer their files to themselves');
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [from] = await t.select().from(users).where(eq(users.id, fromId));
    const [to] = await t.select().from(users).where(eq(users.id, toId));
    if (!from) throw new NotFoundError('no such user');
    if (!to) throw new NotFoundError('no such recipient');
    // Both trees, in a fixed order so two transfers between the same pair cannot deadlock.
    for (const ns of [from.namespaceId, to.namespaceId].sort()) await lockTree(t, ns);
    const as: AuthUser = { id: to.id, username: to.username, role: to.role, namespaceId: to.namespaceId, tokenKind: 'session', mustChangePassword: false };

    const tops = await t
      .select()
      .from(files)
      .where(and(eq(files.namespaceId, from.namespaceId), isNull(files.parentId), isNull(files.trashedAt), isNull(files.mountShareId)));
    const trees = await Promise.all(tops.map(async (top) => ({ top, below: top.isDir ? await liveDescendants(t, top.id) : [] })));
    const all = trees.flatMap(({ top, below }) => [top, ...below]);
    const bytes = all.reduce((n, f) => n + (!f.isDir && hasContent(f) ? f.size : 0), 0);
    await checkRoom(t, to.namespaceId, bytes);

    const rootNames = new Set(
      (await t.select({ key: files.nameKey }).from(files).where(and(eq(files.namespaceId, to.namespaceId), isNull(files.parentId), isNull(files.trashedAt)))).map((r) => r.key),
    );
    const name = uniqueName(`From ${from.username}`, (k) => rootNames.has(k));
    const folder = await createEntry(t, { namespaceId: to.namespaceId, parentId: null, name, isDir: true });
    const copyOf = new Map<string, string>();
    let fileCount = 0;
    let folderCount = 0;
    for (const { top, below } of trees) {
      for (const e of [{ ...top, parentId: null as string | null }, ...below]) {
        const parentId = e.parentId === null ? folder.id : copyOf.get(e.parentId);
        if (parentId === undefined) continue;
        if (e.isDir) {
          copyOf.set(e.id, (await createEntry(t, { namespaceId: to.namespaceId, parentId, name: e.name, isDir: true })).id);
          folderCount++;
        } else if (hasContent(e)) {
          copyOf.set(e.id, (await copyFile(t, as, to.namespaceId, e, parentId, e.name)).id);
          fileCount++;
        }
      }
    }

    let sharesReowned = 0;
    for (const s of await t.select().from(shares).where(eq(shares.ownerId, from.id))) {
      const copy = copyOf.get(s.fileId);
      if (s.granteeUserId === to.id || !copy) {
        await dropMounts(t, s);
        await t.delete(shares).where(eq(shares.id, s.id));
        continue;
      }
      await t.update(shares).set({ ownerId: to.id, namespaceId: to.namespaceId, fileId: copy }).where(eq(shares.id, s.id));
      sharesReowned++;
    }

    await t.delete(users).where(eq(users.id, from.id));
    if (actor) await recordAudit(t, actor, { kind: 'user_deleted', target: from.username, details: { userId: from.id, transferredTo: to.username } });
    return { folder: `/${name}`, files: fileCount, folders: folderCount, bytes, sharesReowned };
  });
}
