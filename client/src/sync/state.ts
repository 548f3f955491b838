/**
 * The sync agent's memory of the last agreed state ("base") of every path, plus the remote
 * journal cursor: one JSON file per sync root (`DIR/.coffer/state.json`).
 *
 * Why JSON and not SQLite: no native dependency to build on every desktop, and a whole-file
 * write via temp file + fsync + rename is atomic on POSIX, so a SIGKILL at any instant leaves
 * either the old or the new state, never a torn one. The agent saves after every committed step
 * (one upload, download, move or delete), so a crash loses at most the step in flight, which the
 * next run recognises by content hash instead of re-sending it.
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

export interface StateData {
  version: 1;
  remoteRoot: string;
  cursor: number;
  /** Relative path (`a/b.txt`, `/`-separated) → base. */
  entries: Record<string, BaseEntry>;
}

export const META_DIR = '.coffer';

export function statePath(root: string): string {
  return join(root, META_DIR, 'state.json');
}

export class SyncState {
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();
  private constructor(
    readonly file: string,
    readonly data: StateData,
  ) {}

  static async load(root: string, remoteRoot: string): Promise<SyncState> {
    const file = statePath(root);
    let data: StateData | undefined;
    try {
      data = JSON.parse(await readFile(file, 'utf8')) as StateData;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is damaged (${(err as Error).message}); remove it to start over`);
    }
    // Another remote folder: the old base says nothing about this one.
    if (!data || data.remoteRoot !== remoteRoot) data = { version: 1, remoteRoot, cursor: 0, entries: {} };
    return new SyncState(file, data);
  }

  get(path: string): BaseEntry | undefined {
    return this.data.entries[path];
  }
  set(path: string, e: BaseEntry): void {
    this.data.entries[path] = e;
    this.dirty = true;
  }
  delete(path: string): void {
    if (path in this.data.entries) {
      delete this.data.entries[path];
      this.dirty = true;
    }
  }
  paths(): string[] {
    return Object.keys(this.data.entries);
  }
  /** Rename a path and everything under it (a folder move). */
  renamePrefix(from: string, to: string): void {
    for (const p of this.paths()) {
      const rest = p === from ? '' : p.startsWith(from + '/') ? p.slice(from.length) : undefined;
      if (rest === undefined) continue;
      const e = this.data.entries[p]!;
      delete this.data.entries[p];
      this.data.entries[to + rest] = e;
    }
    this.dirty = true;
  }
  setCursor(cursor: number): void {
    if (cursor !== this.data.cursor) {
      this.data.cursor = cursor;
      this.dirty = true;
    }
  }

  /** Write atomically and durably (temp, fsync, rename, fsync of the folder); one write at a time. */
  save(): Promise<void> {
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const next = this.saving.then(() => this.write());
    this.saving = next.catch(() => undefined);
    return next.catch((err: unknown) => {
      this.dirty = true; // try again with the next save
      throw err;
    });
  }

  private async write(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const fh = await open(temp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(this.data));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, this.file);
    const d = await open(dirname(this.file), 'r');
    await d.sync().catch(() => undefined); // some filesystems refuse to fsync a folder
    await d.close();
  }
}
