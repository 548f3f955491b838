/**
 * A snapshot of the local tree: every file and folder not ignored, with the stat fields change
 * detection needs (inode, size, mtime). Names equal case-insensitively in one folder cannot
 * both exist on the server (names are case-insensitive there): the first by code-point order is
 * synced and the others are reported and left alone.
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IgnoreRules } from './ignore.js';

/** transfer/temp-files.ts names them `.NAME.coffer-XXXXXXXX.part`. */
const TEMP = /^\..*\.coffer-[0-9a-f]{8}\.part$/;

export interface LocalEntry {
  isDir: boolean;
  ino: number;
  size: number;
  mtimeMs: number;
}

export type LocalTree = Map<string, LocalEntry>;

export interface ScanResult {
  tree: LocalTree;
  /** Paths skipped because another name in the folder equals them case-insensitively. */
  collisions: string[];
}

export async function scanLocal(root: string, ignore: IgnoreRules): Promise<ScanResult> {
  const tree: LocalTree = new Map();
  const collisions: string[] = [];
  async function walk(dirRel: string): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dirRel ? join(root, dirRel) : root)).sort();
    } catch {
      return; // vanished meanwhile: the next pass sees it gone
    }
    const seen = new Set<string>();
    for (const name of names) {
      const rel = dirRel ? `${dirRel}/${name}` : name;
      // A download's temp file left by a crash (kill -9): passes run one at a time, so none is live now.
      if (TEMP.test(name)) {
        await rm(join(root, rel), { force: true }).catch(() => undefined);
        continue;
      }
      const st = await lstat(join(root, rel)).catch(() => undefined);
      if (!st || !(st.isFile() || st.isDirectory())) continue; // symlinks, sockets: not synced
      if (ignore.ignored(rel, st.isDirectory())) continue;
      const key = name.normalize('NFC').toLowerCase();
      if (seen.has(key)) {
        collisions.push(rel);
        continue;
      }
      seen.add(key);
      tree.set(rel, { isDir: st.isDirectory(), ino: st.ino, size: st.isDirectory() ? 0 : st.size, mtimeMs: Math.round(st.mtimeMs) });
      if (st.isDirectory()) await walk(rel);
    }
  }
  await walk('');
  return { tree, collisions };
}
