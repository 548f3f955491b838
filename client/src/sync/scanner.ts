/**
 * A snapshot of the local tree: every file and folder not ignored, with the stat fields change
 * detection needs (inode, size, mtime). The tree may change while it is walked; a walk that saw
 * something vanish under it (a folder gone before it was listed, a name gone before its stat)
 * is not `complete`, and the agent then takes no decision that rests on something's absence.
 *
 * Names equal case-insensitively in one folder cannot both exist on the server (names are
 * case-insensitive there): the one already synced (in the base) keeps its place, else the first
 * by code-point order; the others are reported and left alone.
 */
import { eachAtMost } from '../at-most.js';
import type { IgnoreRules } from './ignore.js';
import { fsCode, joinRel, type LocalFs, type LocalStat } from './local-fs.js';

export type LocalEntry = LocalStat & { kind: 'file' | 'dir' };
export type LocalTree = Map<string, LocalEntry>;

export interface ScanResult {
  tree: LocalTree;
  /** Paths skipped because another name in the folder equals them case-insensitively. */
  collisions: string[];
  /** Nothing vanished during the walk. */
  complete: boolean;
}

/** lstat calls in flight at once: one at a time, a restart's scan of 100,000 files waited ~7 s on the thread pool. */
const STAT_AHEAD = 32;

/** The stats of `rels`, in order: in one call where the file system has it, else a few at once. */
async function statAll(fs: LocalFs, rels: readonly string[]): Promise<(LocalStat | undefined)[]> {
  if (fs.lstatMany) return fs.lstatMany(rels);
  const out: (LocalStat | undefined)[] = new Array(rels.length);
  await eachAtMost(rels, STAT_AHEAD, async (rel, i) => void (out[i] = await fs.lstat(rel)));
  return out;
}

export async function scanLocal(fs: LocalFs, ignore: IgnoreRules, synced: (rel: string) => boolean): Promise<ScanResult> {
  const tree: LocalTree = new Map();
  const collisions: string[] = [];
  let complete = true;
  async function walk(dirRel: string): Promise<void> {
    let names: string[];
    try {
      names = (await fs.readdir(dirRel)).sort();
    } catch (err) {
      if (fsCode(err) !== 'ENOENT' && fsCode(err) !== 'ENOTDIR') throw err; // EACCES, EMFILE…: no pass on a partial picture
      complete = false;
      return;
    }
    // The synced name of a case-insensitive group first, so it is the one kept.
    const rels = names.map((n) => joinRel(dirRel, n));
    const firsts: number[] = [];
    const rest: number[] = [];
    for (const [i, rel] of rels.entries()) (synced(rel) ? firsts : rest).push(i);
    const order = firsts.concat(rest);
    const seen = new Set<string>();
    const stats = await statAll(fs, order.map((i) => rels[i]!));
    for (const [k, i] of order.entries()) {
      const name = names[i]!;
      const rel = rels[i]!;
      const st = stats[k];
      if (!st) {
        complete = false;
        continue;
      }
      if (st.kind === 'other') continue; // symlinks, sockets: not synced
      if (ignore.ignored(rel, st.kind === 'dir')) continue;
      const key = name.normalize('NFC').toLowerCase();
      if (seen.has(key)) {
        collisions.push(rel);
        continue;
      }
      seen.add(key);
      tree.set(rel, st as LocalEntry);
      if (st.kind === 'dir') await walk(rel);
    }
  }
  await walk('');
  return { tree, collisions, complete };
}
