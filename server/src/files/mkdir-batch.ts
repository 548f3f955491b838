/**
 * Many folders in one request (`POST /mkdir/batch`): the sync agent's new tree of a hundred
 * folders was a hundred requests, each its own transaction. Here they are made in ONE transaction,
 * in the order given, each in a savepoint of its own, so a folder that fails (a name taken, a file
 * in the way) is answered alone and undoes only itself. Nothing is answered before the
 * transaction commits.
 */
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { HttpError } from '../http-errors.js';
import { makeFolder } from './mkdir.js';
import type { FileView } from './view.js';

export type MkdirOutcome = { ok: true; folder: FileView } | { ok: false; error: HttpError };

export async function makeFolders(db: Db, user: AuthUser, paths: readonly string[], parents: boolean): Promise<MkdirOutcome[]> {
  return db.transaction(async (tx) => {
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
