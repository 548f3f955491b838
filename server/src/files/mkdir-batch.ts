/**
 * Many folders in one request (`POST /mkdir/batch`): the sync agent's new tree of a hundred
 * folders was a hundred requests, each its own transaction. Here they are made in ONE transaction,
 * in the order given, each answered alone as POST /mkdir would answer it. Nothing is answered
 * before the transaction commits.
 *
 * The usual batch (a sync agent's or a folder upload's new tree: every folder new, its parents
 * existing or made by the batch, no share on the way) is made set-based: one walk of all the
 * paths, one INSERT of all the folders, one journal append (`together`). Made one at a time, each
 * folder cost ~8 statements (~10 ms on the embedded database: 1 s for bench:tree's 108 folders,
 * on the critical path of a first sync). Any other batch (a name taken, a file or a missing parent
 * in the way, a mounted share, a path that does not parse) goes one folder at a time, each in a
 * savepoint of its own, so a folder that fails undoes only itself.
 */
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../auth/context.js';
import { ROWS_PER_INSERT } from '../db/handle.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { HttpError } from '../http-errors.js';
import { nameKey, parsePath } from '../names.js';
import { appendJournalEntries, journalEntry, placeOf } from './journal.js';
import { makeFolder } from './mkdir.js';
import { lockTree } from './subtree.js';
import { walkPaths } from './walk-many.js';
import { fileView, type FileRow, type FileView } from './view.js';

export type MkdirOutcome = { ok: true; folder: FileView } | { ok: false; error: HttpError };

export async function makeFolders(db: Db, user: AuthUser, paths: readonly string[], parents: boolean): Promise<MkdirOutcome[]> {
  return db.transaction(async (tx) => {
    await lockTree(tx, user.namespaceId);
    const made = await tx.transaction((sp) => together(sp, user, paths, parents)).catch((err: unknown) => {
      if (err instanceof NotTogether) return undefined;
      throw err;
    });
    if (made) return made.map((folder) => ({ ok: true as const, folder }));
    const out: MkdirOutcome[] = [];
    for (const path of paths) {
      try {
        out.push({ ok: true, folder: await tx.transaction((sp) => makeFolder(sp, user, path, parents)) });
      } catch (err) {
        // A folder's own refusal; anything else (the database, a bug) fails the whole request.
        if (!(err instanceof HttpError)) throw err;
        out.push({ ok: false, error: err });
      }
    }
    return out;
  });
}

/** Thrown (and its savepoint rolled back) when a batch is not the usual kind: one at a time instead. */
class NotTogether extends Error {}

interface Known {
  id: string;
  isDir: boolean;
  /** The path as stored ('/A/b'), the stored spelling of every name. */
  path: string;
}

/**
 * Every folder of the batch, set-based; throws NotTogether unless each path would succeed one at
 * a time as it stands (the tree lock is held, so nothing else changes the tree meanwhile).
 */
async function together(tx: Db, user: AuthUser, paths: readonly string[], parents: boolean): Promise<FileView[]> {
  const ns = user.namespaceId;
  const parsed = paths.map((p) => {
    try {
      return parsePath(p);
    } catch {
      throw new NotTogether();
    }
  });
  if (parsed.some((segs) => segs.length === 0)) throw new NotTogether();
  const walks = await walkPaths(tx, ns, parsed);
  // The folders this batch makes, and the entries found, by their paths' name keys.
  const known = new Map<string, Known>();
  const planned: (typeof files.$inferInsert & { id: string; parentId: string | null })[] = [];
  const leaves: Known[] = [];
  for (const [i, segs] of parsed.entries()) {
    const walked = walks[i];
    // Through a mounted share (walked alone), or somewhere not the caller's own namespace.
    if (!walked || walked.some((r) => r.namespaceId !== ns)) throw new NotTogether();
    let parent: Known | undefined;
    for (const [k, name] of segs.entries()) {
      const key = segs.slice(0, k + 1).map(nameKey).join('/');
      const found: Known | undefined = known.get(key) ?? (walked[k] ? { id: walked[k].id, isDir: walked[k].isDir, path: `${parent?.path ?? ''}/${walked[k].name}` } : undefined);
      const last = k === segs.length - 1;
      if (found && (last || !found.isDir)) throw new NotTogether(); // a taken name, or a file on the way
      if (!found && !last && !parents) throw new NotTogether(); // a missing parent: 404 one at a time
      let here = found;
      if (!here) {
        const row = { id: randomUUID(), namespaceId: ns, parentId: parent?.id ?? null, name, nameKey: nameKey(name), isDir: true, pending: false };
        planned.push(row);
        here = { id: row.id, isDir: true, path: `${parent?.path ?? ''}/${name}` };
      }
      known.set(key, here);
      parent = here;
    }
    leaves.push(parent!);
  }
  const rows = new Map<string, FileRow>();
  for (let i = 0; i < planned.length; i += ROWS_PER_INSERT) {
    for (const row of await tx.insert(files).values(planned.slice(i, i + ROWS_PER_INSERT)).onConflictDoNothing().returning()) rows.set(row.id, row);
  }
  if (rows.size !== planned.length) throw new NotTogether();
  const made = planned.map((p) => rows.get(p.id)!);
  await appendJournalEntries(tx, ns, made.map((row) => journalEntry('mkdir', row, user.deviceId, placeOf(row))));
  return leaves.map((leaf) => fileView(rows.get(leaf.id)!, leaf.path));
}
