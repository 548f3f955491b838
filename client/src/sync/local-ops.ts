/**
 * The agent's changes to the local tree, each made so that a user's edit racing it is never
 * lost — whatever the user does between any two of the agent's file-system calls.
 *
 * The trick is to take the file away first and look at it second: `rename(path → .coffer/tmp/ID.bak)`
 * is atomic, so what the agent then inspects is exactly what it took. If it is not what the
 * agent expected (the user edited it a moment ago), it is put back. Anything is put in place
 * with an atomic rename that never replaces (`renameNoReplace`): a file the user created
 * meanwhile wins. A crash in between leaves the backup and a record of the operation in
 * .coffer/tmp, and `recover()` puts things right at the next start.
 */
import type { Clock } from './clock.js';
import { fsCode, joinRel as joinName, nameOf, parentOf, type LocalFs, type LocalStat } from './local-fs.js';
import { META_DIR } from './state.js';

export const TMP_DIR = `${META_DIR}/tmp`;

/** Files a file manager leaves in folders: removed with the folder, never a reason to keep it. */
const JUNK = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

interface OpRecord {
  op: 'replace' | 'delete';
  path: string;
}

export function sameStat(a: LocalStat | undefined, b: { ino: number; size: number; mtimeMs: number } | undefined): boolean {
  return !!a && !!b && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** `name (conflicted copy from DEVICE YYYY-MM-DD).ext`, the server's pattern for a conflicted copy. */
export function conflictedName(name: string, device: string, at: number, n = 0): string {
  const day = new Date(at).toISOString().slice(0, 10);
  return labelled(name, `conflicted copy from ${device} ${day}`, n);
}

/** `name (LABEL).ext`, `name (LABEL 2).ext`, … */
export function labelled(name: string, label: string, n = 0): string {
  const [stem, ext] = stemAndExt(name);
  return `${stem} (${label}${n ? ` ${n}` : ''})${ext}`;
}

/** Whether `candidate` is a conflicted copy of `name` (`name (conflicted copy …).ext`, any device, day or number). */
export function isConflictedCopyOf(candidate: string, name: string): boolean {
  return candidate.startsWith(`${stemAndExt(name)[0]} (conflicted copy `);
}

function stemAndExt(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

/** How long the agent's own temp folder is taken to exist once seen (it is checked again after). */
const TMP_SEEN_MS = 1000;

export class LocalOps {
  private seq = 0;
  /** When TMP_DIR was last seen or made: a download or an operation record per file looked again each time. */
  private tmpSeenAt = -Infinity;

  constructor(
    private readonly fs: LocalFs,
    private readonly clock: Clock,
    private readonly deviceName: string,
    private readonly log: (line: string) => void,
  ) {}

  private newId(): string {
    const r = Math.floor(this.clock.random() * 0xffffffff).toString(16).padStart(8, '0');
    return `${this.clock.now().toString(36)}-${r}-${(this.seq++).toString(36)}`;
  }

  /** A fresh temp path for a download in progress (same file system as the tree, so renames are atomic). */
  async newTemp(): Promise<string> {
    await this.ensureTmp();
    return `${TMP_DIR}/${this.newId()}.part`;
  }

  /** mkdir -p; false when a file is in the way. */
  async ensureDir(rel: string): Promise<boolean> {
    if (rel === '') return true;
    const st = await this.fs.lstat(rel);
    if (st) return st.kind === 'dir';
    if (!(await this.ensureDir(parentOf(rel)))) return false;
    try {
      await this.fs.mkdir(rel);
    } catch (err) {
      if (fsCode(err) !== 'EEXIST') throw err;
    }
    return (await this.fs.lstat(rel))?.kind === 'dir';
  }

  /** TMP_DIR is there (made when not). Ours, not the user's, so seen once it is trusted for a moment:
   *  were it removed meanwhile, what fails in it fails as any file-system error, and is tried again. */
  private async ensureTmp(): Promise<void> {
    const now = this.clock.now();
    if (now - this.tmpSeenAt < TMP_SEEN_MS) return;
    if (await this.ensureDir(TMP_DIR)) this.tmpSeenAt = now;
  }

  private async begin(rec: OpRecord): Promise<string> {
    await this.ensureTmp();
    const id = this.newId();
    await this.fs.writeFileAtomic(`${TMP_DIR}/${id}.op`, new TextEncoder().encode(JSON.stringify(rec)));
    return id;
  }

  private async end(id: string): Promise<void> {
    await this.fs.unlink(`${TMP_DIR}/${id}.op`).catch(() => undefined);
  }

  /** Take whatever is at `rel` into the backup; false when nothing is there. */
  private async takeAway(rel: string, bak: string): Promise<boolean> {
    try {
      await this.fs.rename(rel, bak);
      return true;
    } catch (err) {
      if (fsCode(err) === 'ENOENT' || fsCode(err) === 'ENOTDIR') return false;
      throw err;
    }
  }

  /**
   * Put the finished temp file `temp` at `rel`. `expected` describes the file there now (its
   * content must be one the server has: the base), or undefined when nothing should be there.
   * False (and nothing changed) when `rel` is not as expected; the temp is then still there, for
   * the caller to remove once it has recorded so (a temp gone means it was put in place).
   */
  async replace(rel: string, temp: string, expected: LocalStat | undefined): Promise<boolean> {
    if (!(await this.ensureDir(parentOf(rel)))) return false;
    if (!expected) return this.renameNew(temp, rel);
    const id = await this.begin({ op: 'replace', path: rel });
    const bak = `${TMP_DIR}/${id}.bak`;
    if (!(await this.takeAway(rel, bak))) {
      await this.end(id);
      return false;
    }
    if (!sameStat(await this.fs.lstat(bak), expected)) {
      await this.putBack(bak, rel); // edited a moment ago: the edit stays
      await this.end(id);
      return false;
    }
    const placed = await this.renameNew(temp, rel);
    // Not placed: the user made a new file there meanwhile, which stays; the backup is the base's
    // content, which the server has. Placed: a writer that still had the old file open may have
    // written to it after the check above — then it is kept beside.
    if (!placed || sameStat(await this.fs.lstat(bak), expected)) await this.fs.unlink(bak);
    else await this.putBack(bak, rel);
    await this.end(id);
    return placed;
  }

  /** Remove a file of the agent's own (a temp), if it is there. */
  async discard(rel: string): Promise<void> {
    await this.fs.unlink(rel).catch(() => undefined);
  }

  /** Delete the file at `rel` if it is still `expected` (content the server has); false otherwise. */
  async removeFile(rel: string, expected: LocalStat): Promise<boolean> {
    const id = await this.begin({ op: 'delete', path: rel });
    const bak = `${TMP_DIR}/${id}.bak`;
    if (!(await this.takeAway(rel, bak))) {
      await this.end(id);
      return false;
    }
    const st = await this.fs.lstat(bak);
    const ok = st?.kind === 'file' && sameStat(st, expected);
    if (ok) await this.fs.unlink(bak);
    else await this.putBack(bak, rel);
    await this.end(id);
    return ok;
  }

  /** Remove an empty folder (junk files in it go too); false when it holds anything else. */
  async removeDir(rel: string): Promise<boolean> {
    let names: string[];
    try {
      names = await this.fs.readdir(rel);
    } catch (err) {
      if (fsCode(err) === 'ENOENT' || fsCode(err) === 'ENOTDIR') return false;
      throw err;
    }
    if (names.some((n) => !JUNK.has(n))) return false;
    for (const n of names) await this.fs.unlink(`${rel}/${n}`).catch(() => undefined);
    try {
      await this.fs.rmdir(rel);
      return true;
    } catch (err) {
      if (['ENOTEMPTY', 'EEXIST', 'ENOENT', 'ENOTDIR'].includes(fsCode(err) ?? '')) return false;
      throw err;
    }
  }

  /** Move the file or folder at `from` (whatever it holds now) to the free name `to`; false (nothing moved) when either is not so. */
  async move(from: string, to: string): Promise<boolean> {
    if (!(await this.ensureDir(parentOf(to)))) return false;
    return this.renameNew(from, to);
  }

  /** Move the item at `rel` aside to a free conflicted-copy name beside it (or `name (LABEL).ext`); that name, or undefined when nothing was there. */
  async keepAside(rel: string, label?: string): Promise<string | undefined> {
    for (let n = 0; n < 100; n++) {
      const name = label ? labelled(nameOf(rel), label, n) : conflictedName(nameOf(rel), this.deviceName, this.clock.now(), n);
      const to = joinName(parentOf(rel), name);
      const lower = name.toLowerCase();
      if ((await this.fs.readdir(parentOf(rel)).catch(() => [] as string[])).some((x) => x.toLowerCase() === lower)) continue;
      if (await this.move(rel, to)) return to;
      if (!(await this.fs.lstat(rel))) return undefined;
    }
    throw new Error(`no free name beside ${rel} for a conflicted copy`);
  }

  /**
   * After a crash: finish or undo what .coffer/tmp records. A backup whose content the server
   * has (`isBase`) and whose place is taken is dropped; anything else goes back to its place or,
   * when that is taken, beside it as a conflicted copy. Leftover temp files are removed.
   */
  async recover(isBase: (rel: string, st: LocalStat) => boolean, keep: ReadonlySet<string> = new Set()): Promise<void> {
    let names: string[];
    try {
      names = await this.fs.readdir(TMP_DIR);
    } catch (err) {
      if (fsCode(err) === 'ENOENT') return;
      throw err;
    }
    const ops = new Map<string, OpRecord>();
    for (const n of names.filter((x) => x.endsWith('.op'))) {
      const raw = await this.fs.readFile(`${TMP_DIR}/${n}`);
      try {
        if (raw) ops.set(n.slice(0, -3), JSON.parse(new TextDecoder().decode(raw)) as OpRecord);
      } catch {
        /* torn record of an operation that never started */
      }
    }
    for (const n of names) {
      const path = `${TMP_DIR}/${n}`;
      if (!n.endsWith('.bak')) {
        if (!n.endsWith('.op') && !keep.has(path)) await this.fs.unlink(path).catch(() => undefined);
        continue;
      }
      const rec = ops.get(n.slice(0, -4));
      const st = await this.fs.lstat(path);
      if (!st) continue;
      if (!rec) {
        await this.putBack(path, `recovered ${n.slice(0, -4)}`);
        continue;
      }
      const at = await this.fs.lstat(rec.path);
      if (at && st.kind === 'file' && isBase(rec.path, st)) await this.fs.unlink(path);
      else await this.putBack(path, rec.path);
      this.log(`recovered ${rec.path} after an interrupted ${rec.op}`);
    }
    for (const id of ops.keys()) await this.fs.unlink(`${TMP_DIR}/${id}.op`).catch(() => undefined);
  }

  /** Rename to a name that must be free; false when it is taken (or `from` or the folder is gone). */
  private async renameNew(from: string, to: string): Promise<boolean> {
    try {
      await this.fs.renameNoReplace(from, to);
      return true;
    } catch (err) {
      if (['EEXIST', 'ENOTEMPTY', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EINVAL'].includes(fsCode(err) ?? '')) return false;
      throw err;
    }
  }

  /** Return a backup to `rel`, or beside it as a conflicted copy when `rel` is taken now. */
  private async putBack(bak: string, rel: string): Promise<void> {
    await this.ensureDir(parentOf(rel)).catch(() => false);
    if (await this.renameNew(bak, rel)) {
      this.log(`put ${rel} back: it changed while the agent was working on it`);
      return;
    }
    for (let n = 0; n < 100; n++) {
      const to = joinName(parentOf(rel), conflictedName(nameOf(rel), this.deviceName, this.clock.now(), n));
      if (await this.renameNew(bak, to)) {
        this.log(`kept ${rel} as ${to}: it changed while the agent was replacing it`);
        return;
      }
    }
    throw new Error(`could not put ${rel} back (kept in ${bak})`);
  }
}
