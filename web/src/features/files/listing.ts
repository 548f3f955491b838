/** Reading listings whole, page after page (a folder, the trash, and other paged lists). */
import { FileList, userOperations as ops, type FileView } from '@coffer/protocol';
import { call, urlOf } from '../../api/client';
import { OFFLINE_CACHE } from '../../pwa/caches';

/** Follows `cursor` until the last page; `progress` sees what has come so far after each page but the last. */
export async function allPages(page: (cursor: string | undefined) => Promise<FileList>, progress?: (soFar: FileView[]) => void): Promise<FileView[]> {
  const all: FileView[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    all.push(...p.entries);
    cursor = p.cursor;
    if (cursor) progress?.([...all]);
  } while (cursor);
  return all;
}

const FIRST_PAGE = 200;
/** How long a first page asked for at page load may stand in for the screen's own request. */
const EARLY_FOR_MS = 10_000;
let early: { path: string; at: number; page: Promise<FileList>; answered?: FileList } | undefined;

/**
 * Asks for the first page of `path` now, at page load, alongside /me: with nothing remembered of
 * who is signed in, the files screen would otherwise ask only after /me answered. The screen's
 * first `listFolder(path)` takes this answer instead of asking again (once, and only while fresh).
 */
export function prefetchFirstPage(path: string): void {
  const page = call(ops.listFolder, { query: { path, limit: FIRST_PAGE } });
  const e: NonNullable<typeof early> = { path, at: Date.now(), page };
  page.then(
    (answered) => (e.answered = answered),
    () => {}, // the screen asks again, and shows its own error
  );
  early = e;
  keptEarly = { path, at: Date.now(), page: readKept(path) };
}

/**
 * The first page of `path` as the service worker last kept it (its offline copies, which sign-out
 * and any 401 delete), or undefined: shown while the network answers, as Drive and Dropbox show the
 * folder they last saw at once, and replaced by the fresh listing as soon as it comes. Read at page
 * load for the folder in the URL (prefetchFirstPage), so it is ready when the screen first renders.
 */
export function keptFirstPage(path: string): Promise<FileView[] | undefined> {
  const k = keptEarly;
  keptEarly = undefined;
  return k && k.path === path && Date.now() - k.at < EARLY_FOR_MS ? k.page : readKept(path);
}

let keptEarly: { path: string; at: number; page: Promise<FileView[] | undefined> } | undefined;

async function readKept(path: string): Promise<FileView[] | undefined> {
  if (!('caches' in window) || !navigator.serviceWorker?.controller) return undefined;
  try {
    const res = await caches.match(urlOf(ops.listFolder, { query: { path, limit: FIRST_PAGE } }), { cacheName: OFFLINE_CACHE });
    if (!res?.ok) return undefined;
    const page = FileList.safeParse(await res.json());
    return page.success ? page.data.entries : undefined;
  } catch {
    return undefined; // storage blocked or a damaged copy: the network answers
  }
}

/**
 * The first page asked for at page load if it has already come, without taking it: the files
 * screen renders these rows in its very first render. Waiting for its effect to take them would
 * cost a paint and a layout before any row shows (preact runs effects after the next frame).
 */
export function answeredFirstPage(path: string): FileView[] | undefined {
  const e = early;
  return e?.answered && e.path === path && Date.now() - e.at < EARLY_FOR_MS ? e.answered.entries : undefined;
}

function takeEarly(path: string): Promise<FileList> | undefined {
  const e = early;
  early = undefined;
  return e && e.path === path && Date.now() - e.at < EARLY_FOR_MS ? e.page : undefined;
}

export function listFolder(path: string, progress?: (soFar: FileView[]) => void): Promise<FileView[]> {
  // A small first page shows a big folder sooner; the rest come 1,000 at a time.
  const ask = (cursor: string | undefined) => call(ops.listFolder, { query: { path, limit: cursor ? 1000 : FIRST_PAGE, cursor } });
  return allPages((cursor) => (cursor ? undefined : takeEarly(path)?.catch(() => ask(undefined))) ?? ask(cursor), progress);
}

export function listTrash(): Promise<FileView[]> {
  return allPages((cursor) => call(ops.listTrash, { query: { limit: 1000, cursor } }));
}

/** The folder holding a path ('/a/b.txt' → '/a'; '/b' → '/'). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function joinPath(folder: string, name: string): string {
  return `${folder === '/' ? '' : folder}/${name}`;
}
