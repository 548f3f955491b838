/**
 * `coffer-admin import DIR --user U [--to /PATH]`: an existing folder tree loaded into a user's
 * files through the same paths uploads take — the engine's chunker and block store (dedup,
 * compression, encryption, erasure coding), the one commit path (quota, revisions, journal) —
 * with several files' blocks written at once. Folders first, then files; a file already there
 * is reported and left as it is. Modification times are kept. New files commit in batches through
 * the batch commit's own transaction (uploads/batch-commit.ts `commitResolved`, as
 * `POST /files/commit/batch`): one transaction for up to BATCH files, each with its own version and
 * journal entry as any commit, and each refused on its own (over quota, say) without undoing the
 * others. A failure that is not a file's own (the database) stops the import.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileFillSource } from '@coffer/storage-engine';
import type { AuthUser } from '../../auth/context.js';
import { makeFolder } from '../../files/mkdir.js';
import type { Db } from '../../db/open.js';
import { commitResolved } from '../../uploads/batch-commit.js';
import type { PathCommit, UploadedContent } from '../../uploads/commit.js';
import { compressible } from '../../uploads/media-types.js';
import { uploadTarget, type UploadTarget } from '../../uploads/target.js';
import { HttpError } from '../../http-errors.js';
import { AdminError, openInstallWithStorage, parse, print, UsageError, note } from '../context.js';
import { namedUser } from '../user-arg.js';
import { formatSize } from '../size.js';

const USAGE = 'import DIR --user USER [--to /PATH] [--parallel N]';
/** Files a transaction commits (the sync client's batch size; the protocol allows up to MAX_BATCH_FILES). */
const BATCH = 500;
const RULE = { baseRev: null, overwrite: false };

interface Stored {
  target: UploadTarget;
  content: UploadedContent;
}

export async function importTree(args: string[]): Promise<number> {
  const { positionals, values } = parse(args, { user: { type: 'string' }, to: { type: 'string' }, parallel: { type: 'string' } }, { min: 1, max: 1, usage: USAGE });
  if (!values.user) throw new UsageError(`--user is required\nusage: coffer-admin ${USAGE}`);
  const parallel = Number(values.parallel ?? 4);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) throw new UsageError('--parallel is a whole number from 1 to 32');
  const dir = resolve(positionals[0]!);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new AdminError(`${dir} is not a folder`);
  const base = '/' + (values.to ?? '').replace(/^\/+|\/+$/g, '');
  const { folders, fileList } = await walk(dir);
  const install = await openInstallWithStorage();
  const started = Date.now();
  let done = 0;
  let bytes = 0;
  const failures: string[] = [];
  try {
    const { db } = install.database;
    const row = await namedUser(db, values.user);
    const user: AuthUser = { id: row.id, username: row.username, role: row.role, namespaceId: row.namespaceId, tokenKind: 'device', mustChangePassword: false };
    const remote = (local: string) => (base === '/' ? '' : base) + '/' + relative(dir, local).split(sep).join('/');
    if (base !== '/') await db.transaction((tx) => makeFolder(tx as unknown as Db, user, base, true));
    for (const f of folders) await db.transaction((tx) => makeFolder(tx as unknown as Db, user, remote(f), true));
    let next = 0;
    const batch: Stored[] = [];
    let committing = Promise.resolve();
    let fatal: { err: unknown } | undefined;
    // One batch commits at a time (in order); workers go on storing blocks meanwhile.
    const flush = () => {
      const items = batch.splice(0);
      if (items.length === 0) return committing;
      committing = committing.then(async () => {
        if (fatal) return;
        try {
          const outcomes = await commitResolved(db, user, items.map((i) => commitOf(user, i)));
          for (const [k, o] of outcomes.entries()) {
            const i = items[k]!;
            if (o.ok) {
              done++;
              bytes += i.content.size;
            } else {
              failures.push(i.target.path);
              note(`not imported: ${i.target.path}: ${o.error.message}`);
            }
          }
        } catch (err) {
          fatal = { err };
        }
      });
      return committing;
    };
    const worker = async () => {
      while (!fatal && next < fileList.length) {
        const local = fileList[next++]!;
        const path = remote(local);
        try {
          batch.push(await storeFile(db, install.storage.files, user, local, path));
        } catch (err) {
          const why = err instanceof HttpError || err instanceof Error ? err.message : String(err);
          failures.push(`${path}: ${why}`);
          note(`not imported: ${path}: ${why}`);
        }
        if (batch.length >= BATCH) await flush();
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    await flush();
    if (fatal) throw fatal.err;
  } finally {
    await install.close();
  }
  const secs = (Date.now() - started) / 1000;
  print(`imported ${done} files (${formatSize(bytes)}) and ${folders.length} folders in ${secs.toFixed(1)} s${failures.length ? `; ${failures.length} not imported` : ''}`);
  return failures.length ? 1 : 0;
}

/** The file's blocks stored (the engine's chunking, dedup and sealing), nothing committed yet. */
async function storeFile(db: Db, files: import('@coffer/storage-engine').FileStore, user: AuthUser, local: string, path: string): Promise<Stored> {
  const fh = await open(local, 'r');
  try {
    const st = await fh.stat();
    const target = await uploadTarget(db, user, path, st.size, RULE);
    const content = await files.write(target.namespaceId, fileFillSource(fh), { compress: compressible(target.name) });
    return { target, content: { ...content, mtime: st.mtime } };
  } finally {
    await fh.close();
  }
}

/** A stored file as the batch commit takes it: a new name (a file there meanwhile is its own 409). */
function commitOf(user: AuthUser, i: Stored): PathCommit {
  return { user, target: i.target, content: i.content, rule: RULE, onConflict: 'fail' };
}

/** Every folder (parents before children) and regular file under `dir`; links and special files are skipped. */
async function walk(dir: string): Promise<{ folders: string[]; fileList: string[] }> {
  const folders: string[] = [];
  const fileList: string[] = [];
  const visit = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        folders.push(p);
        await visit(p);
      } else if (e.isFile()) fileList.push(p);
      else note(`skipped (not a regular file or folder): ${p}`);
    }
  };
  await visit(dir);
  return { folders, fileList };
}
