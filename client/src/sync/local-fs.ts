/**
 * The sync root's file system as the agent sees it: paths relative to the root, `/`-separated.
 * `nodeFs` (node-fs.ts) is the real one; the simulation (client/test/sim/) gives a virtual one
 * where every call is a step that can be delayed, interleaved with a user's edits, or cut off by
 * a crash. So the agent must never assume two calls happen back to back: every decision that
 * deletes or replaces a file is made atomic with renames (local-ops.ts).
 *
 * Errors carry node's `code` (ENOENT, EEXIST, ENOTEMPTY, ENOTDIR, …) as `FsError`-likes.
 */

import type { FileStat, OpenOptions, ReadHandle, WriteHandle } from '../transfer/file-handle.js';

export type { ReadHandle, WriteHandle };
export type LocalStat = FileStat;

export interface LocalFs {
  /** Names in a folder (unsorted). Throws ENOENT/ENOTDIR when it is not a folder now. */
  readdir(rel: string): Promise<string[]>;
  /** undefined when nothing is there (ENOENT, ENOTDIR). `rel` '' is the root. */
  lstat(rel: string): Promise<LocalStat | undefined>;
  /** `lstat` of each of `rels`, in order, where the file system does many cheaper at once than
   *  one call each (the real one: no thread-pool round trip per name). Optional: the scan falls back to `lstat`. */
  lstatMany?(rels: readonly string[]): Promise<(LocalStat | undefined)[]>;
  /** One level; EEXIST when something is there. */
  mkdir(rel: string): Promise<void>;
  /** ENOTEMPTY when it holds anything. */
  rmdir(rel: string): Promise<void>;
  unlink(rel: string): Promise<void>;
  /** POSIX rename: replaces a file at `to`, or an empty folder with a folder. */
  rename(from: string, to: string): Promise<void>;
  /** An atomic rename that never replaces anything: EEXIST when `to` is taken. */
  renameNoReplace(from: string, to: string): Promise<void>;
  utimes(rel: string, mtimeMs: number): Promise<void>;
  /** `small`: a batch's file (the real file system then reads it with synchronous calls: file-handle.ts). */
  openRead(rel: string, o?: OpenOptions): Promise<ReadHandle>;
  /** A new file; EEXIST when the name is taken. */
  createExclusive(rel: string): Promise<WriteHandle>;
  /** Whole small files (the state file): read, or write-and-replace durably via a temp name. */
  readFile(rel: string): Promise<Uint8Array | undefined>;
  writeFileAtomic(rel: string, bytes: Uint8Array): Promise<void>;
  /** Call `onChange` (with the changed path when known) whenever something under the root may
   *  have changed; returns a function that stops watching. */
  watch(onChange: (rel: string | undefined) => void): () => void;
}

/** The node-style error code of a failed call, if it has one. */
export function fsCode(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

export function fsError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export function joinRel(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/** Depth of a relative path (`a` 0, `a/b` 1), to order parents before children. */
export function depth(rel: string): number {
  let n = 0;
  for (const c of rel) if (c === '/') n++;
  return n;
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export function nameOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** Parents first, then by code point: the order folders must be made in. */
export function byDepth(a: string, b: string): number {
  return depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** `paths` in `byDepth` order, each depth counted once (a pass sorts every path it knows: with
 *  `byDepth` as the comparator, depths were counted ~34 times a path at 100,000). */
export function sortedByDepth(paths: Iterable<string>): string[] {
  const levels: string[][] = [];
  for (const p of paths) (levels[depth(p)] ??= []).push(p);
  const out: string[] = [];
  // The default sort compares UTF-16 code units, as byDepth's `<` does.
  for (const level of levels) if (level) for (const p of level.sort()) out.push(p);
  return out;
}

/** `p` itself or anything below it. */
export function isWithinRel(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + '/');
}
