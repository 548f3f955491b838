/**
 * The sync agent's memory of the last agreed state ("base") of every path, plus the remote
 * journal cursor: one JSON file per sync root (`DIR/.coffer/state.json`).
 *
 * Why JSON and not SQLite: no native dependency to build on every desktop, and a whole-file
 * write via temp file + fsync + rename is atomic on POSIX, so a SIGKILL at any instant leaves
 * either the old or the new state, never a torn one. The agent saves after every committed step
 * (one upload, download, move or delete). A crash between a step and its save is recognised on
 * restart: the base then disagrees with both sides in a way content hashes resolve (reconcile.ts).
 */
import type { LocalFs, LocalStat } from './local-fs.js';

export interface BaseEntry {
  isDir: boolean;
  fileId: string;
  rev: number;
  contentHash: string | null;
  size: number;
  /** The local file as it was when it last matched the remote (change detection without hashing). */
  ino: number;
  mtimeMs: number;
}

/**
 * A step whose outcome may be lost, recorded before it is taken. An upload: if the commit's
 * answer never arrives (connection lost, agent killed), the next pass finds out from the remote
 * picture whether it happened (a file or a conflicted copy with this content hash) instead of
 * taking its own upload for someone else's change. A download: if the agent dies after the new
 * file took its place but before the base was saved, that revision is what this device agreed
 * to — so an edit or a delete made since is one (the temp file's absence tells it was placed).
 */
export interface Intent {
  kind: 'upload' | 'download';
  contentHash: string;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Downloads: the revision written, and its temp file (still there: never put in place). */
  fileId?: string;
  rev?: number;
  temp?: string;
  /** Uploads: the journal position before the commit (its entry, if it happened, comes after). */
  cursor?: number;
}

export interface StateData {
  version: 1;
  remoteRoot: string;
  cursor: number;
  /** Relative path (`a/b.txt`, `/`-separated) → base. */
  entries: Record<string, BaseEntry>;
  intents?: Record<string, Intent>;
}

export const META_DIR = '.coffer';
export const STATE_FILE = `${META_DIR}/state.json`;

/** The local file still is what the base recorded (same inode, size and mtime). */
export function unchanged(l: LocalStat | undefined, b: BaseEntry | undefined): boolean {
  if (!l || !b) return false;
  if (b.isDir) return l.kind === 'dir';
  return l.kind === 'file' && l.ino === b.ino && l.size === b.size && l.mtimeMs === b.mtimeMs;
}

export class SyncState {
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();
  private constructor(
    private readonly fs: LocalFs,
    readonly data: StateData,
  ) {}

  static async load(fs: LocalFs, remoteRoot: string): Promise<SyncState> {
    let data: StateData | undefined;
    const raw = await fs.readFile(STATE_FILE);
    if (raw) {
      try {
        data = JSON.parse(new TextDecoder().decode(raw)) as StateData;
      } catch (err) {
        throw new Error(`${STATE_FILE} is damaged (${(err as Error).message}); remove it to start over`);
      }
    }
    // Another remote folder: the old base says nothing about this one.
    if (!data || data.remoteRoot !== remoteRoot) data = { version: 1, remoteRoot, cursor: 0, entries: {} };
    return new SyncState(fs, data);
  }

  get(path: string): BaseEntry | undefined {
    return Object.hasOwn(this.data.entries, path) ? this.data.entries[path] : undefined;
  }
  set(path: string, e: BaseEntry): void {
    this.data.entries[path] = e;
    this.dirty = true;
  }
  delete(path: string): void {
    if (Object.hasOwn(this.data.entries, path)) {
      delete this.data.entries[path];
      this.dirty = true;
    }
  }
  /** Forget a path and everything under it. */
  deleteTree(path: string): void {
    for (const p of this.paths()) if (p === path || p.startsWith(path + '/')) this.delete(p);
  }
  paths(): string[] {
    return Object.keys(this.data.entries);
  }
  /** Rename a path and everything under it (a folder move). */
  renamePrefix(from: string, to: string): void {
    const moved: [string, BaseEntry][] = [];
    for (const p of this.paths()) {
      const rest = p === from ? '' : p.startsWith(from + '/') ? p.slice(from.length) : undefined;
      if (rest === undefined) continue;
      moved.push([to + rest, this.data.entries[p]!]);
      delete this.data.entries[p];
    }
    for (const [p, e] of moved) this.data.entries[p] = e;
    this.dirty = true;
  }
  intent(path: string): Intent | undefined {
    const all = this.data.intents;
    return all && Object.hasOwn(all, path) ? all[path] : undefined;
  }
  intentPaths(): string[] {
    return Object.keys(this.data.intents ?? {});
  }
  setIntent(path: string, i: Intent | undefined): void {
    if (i) (this.data.intents ??= {})[path] = i;
    else if (this.data.intents && Object.hasOwn(this.data.intents, path)) delete this.data.intents[path];
    else return;
    this.dirty = true;
  }

  setCursor(cursor: number): void {
    if (cursor !== this.data.cursor) {
      this.data.cursor = cursor;
      this.dirty = true;
    }
  }

  /** Write atomically and durably; one write at a time. */
  save(): Promise<void> {
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const next = this.saving.then(() => this.fs.writeFileAtomic(STATE_FILE, new TextEncoder().encode(JSON.stringify(this.data))));
    this.saving = next.catch(() => undefined);
    return next.catch((err: unknown) => {
      this.dirty = true; // try again with the next save
      throw err;
    });
  }
}
