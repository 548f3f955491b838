/**
 * What the simulation checks after a history: the live tree as the server holds it, and every
 * content ever committed (each version of each file, trashed ones included), with its bytes.
 */
import type { ModelState, Version } from './model-state.js';

export interface LiveEntry {
  id: string;
  isDir: boolean;
  /** Files only (a folder has rev 0 and no content). */
  rev: number;
  size: number;
  contentHash: string | null;
}

export interface VersionRecord extends Version {
  /** Where the file is now (or was, when trashed). */
  path: string;
  trashed: boolean;
  /** This version is the file's head. */
  head: boolean;
}

/** Stored path → live entry, folders and files, parents before children. */
export function liveTree(s: ModelState): Map<string, LiveEntry> {
  const out = new Map<string, LiveEntry>();
  const visit = (parentId: string | null) => {
    for (const row of s.tree.children(parentId).sort((a, b) => (a.nameKey < b.nameKey ? -1 : 1))) {
      out.set(s.tree.pathOf(row), { id: row.id, isDir: row.isDir, rev: row.rev, size: row.size, contentHash: row.contentHash });
      if (row.isDir) visit(row.id);
    }
  };
  visit(null);
  return out;
}

/** Every version of every file, live or trashed, in commit order. */
export function allVersions(s: ModelState): VersionRecord[] {
  const out: VersionRecord[] = [];
  for (const [fileId, versions] of s.versions) {
    const row = s.tree.byId(fileId)!;
    for (const v of versions) out.push({ ...v, path: s.tree.pathOf(row), trashed: row.trashedAt !== null, head: v.rev === row.rev });
  }
  // Ids come from one counter, zero-padded: their order is the order of the commits.
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A version's bytes, from its blocks. */
export function contentOf(s: ModelState, v: Pick<Version, 'blocks'>): Buffer {
  return Buffer.concat(v.blocks.map((b) => s.blocks.peek(b.hash)!));
}

