/**
 * What the files screens do to entries, each a call of @coffer/protocol plus the toast that says
 * what happened (with Undo for the trash); every action refreshes the listing after.
 */
import { downloadHref } from '../preview/index';
import { userOperations as ops, type FileView } from '@coffer/protocol';
import { call, urlOf } from '../../api/client';
import { toast } from '../../ui/index';
import { joinPath, parentOf } from './listing';
import { t } from './messages';
import { refresh } from './state';

function failed(err: unknown): void {
  toast(t('failed', { msg: err instanceof Error ? err.message : String(err) }));
}

/** Runs `f`, toasts its failure, refreshes the listing either way; true when it succeeded. */
async function attempt(f: () => Promise<void>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (err) {
    failed(err);
    return false;
  } finally {
    refresh();
  }
}

export function newFolder(parent: string, name: string): Promise<boolean> {
  return attempt(async () => {
    await call(ops.mkdir, { body: { path: joinPath(parent, name) } });
  });
}

export function rename(f: FileView, name: string): Promise<boolean> {
  if (name === f.name) return Promise.resolve(true);
  return attempt(async () => {
    await call(ops.move, { body: { id: f.id, to: joinPath(parentOf(f.path), name) } });
  });
}

/** Moves entries into `folder` (a path); a folder dropped on itself or its own inside is refused. */
export function moveInto(entries: readonly FileView[], folder: string): Promise<boolean> {
  const moving = entries.filter((f) => parentOf(f.path) !== folder);
  if (moving.some((f) => f.isDir && (folder === f.path || folder.startsWith(f.path + '/')))) {
    toast(t('moveIntoSelf'));
    return Promise.resolve(false);
  }
  if (moving.length === 0) return Promise.resolve(true);
  return attempt(async () => {
    for (const f of moving) await call(ops.move, { body: { id: f.id, to: joinPath(folder, f.name) } });
    toast(t('movedTo', { n: moving.length, folder: folder === '/' ? t('root') : folder }));
  });
}

export function restore(entries: readonly FileView[]): Promise<boolean> {
  return attempt(async () => {
    for (const f of entries) await call(ops.restoreFromTrash, { params: { id: f.id } });
    toast(t('restored', { n: entries.length }));
  });
}

/** To the trash, with an Undo that restores them where they were. */
export function trash(entries: readonly FileView[]): Promise<boolean> {
  return attempt(async () => {
    const done: FileView[] = [];
    try {
      for (const f of entries) done.push(await call(ops.deleteEntry, { body: { id: f.id } }));
    } finally {
      if (done.length) toast(t('trashed', { n: done.length }), { label: t('undo'), run: () => void restore(done) }, 8000);
    }
  });
}

export function purge(f: FileView): Promise<boolean> {
  return attempt(async () => {
    await call(ops.purgeFromTrash, { params: { id: f.id } });
    toast(t('purged'));
  });
}

export function emptyTrash(): Promise<boolean> {
  return attempt(async () => {
    await call(ops.emptyTrash);
    toast(t('emptied'));
  });
}

export function restoreRevision(f: FileView, rev: number): Promise<boolean> {
  return attempt(async () => {
    await call(ops.restoreRevision, { body: { id: f.id, rev } });
    toast(t('revRestored', { n: rev }));
  });
}

/** Stars or unstars an entry (for the caller only). */
export function setStar(f: FileView, on: boolean): Promise<boolean> {
  return attempt(async () => {
    await call(on ? ops.starFile : ops.unstarFile, { params: { id: f.id } });
  });
}

/** The address of a file's bytes (an old revision with `rev`), as an attachment. */
export function downloadUrl(f: FileView, rev?: number): string {
  return urlOf(ops.downloadById, { params: { id: f.id }, query: { rev } });
}

/** Starts the browser's own download (no bytes through the page's memory); a folder comes as a zip. */
export function download(f: FileView, rev?: number): void {
  const a = document.createElement('a');
  a.href = f.isDir ? downloadHref(f) : downloadUrl(f, rev);
  a.download = f.isDir ? `${f.name}.zip` : f.name;
  document.body.append(a);
  a.click();
  a.remove();
}
