import { open, type FileHandle } from 'node:fs/promises';

/**
 * Open read-only handles of a local-directory node's packs, kept for the next read (issue 20): a
 * restore of small files reads thousands of packed shards, each an open, a read and a close on
 * the thread pool — with the handle kept, one read. Safe because packs are written once and never
 * changed in place (a rewrite is a new file under a new name, packer.ts; a file cut short or
 * damaged in place is seen through the handle as through a new one). The node forgets a path it
 * writes or deletes itself; a handle idle for `idleMs` is closed within twice that, so a pack
 * removed behind the process's back (a wiped disk) stops being read from soon after; any error
 * on a handle drops it. At most `max` are kept.
 */
interface Entry {
  handle: Promise<FileHandle>;
  users: number;
  dropped: boolean;
  lastUsed: number;
}

export class ReadHandles {
  /** By path, least recently used first (Map order, refreshed on use). */
  private readonly entries = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly max = 64,
    private readonly idleMs = 1000,
  ) {}

  /** Runs `fn` with an open handle of `path` (opened now, or kept from before). Errors of `open` and of `fn` pass through. */
  async with<T>(path: string, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    let e = this.entries.get(path);
    if (e) this.entries.delete(path);
    else {
      e = { handle: open(path, 'r'), users: 0, dropped: false, lastUsed: 0 };
      e.handle.catch(() => undefined); // awaited below; a failed open is dropped there
    }
    this.entries.set(path, e);
    e.users++;
    e.lastUsed = Date.now();
    this.evict();
    this.sweep();
    try {
      return await fn(await e.handle);
    } catch (err) {
      this.drop(path, e);
      throw err;
    } finally {
      e.users--;
      if (e.dropped && e.users === 0) void this.close(e);
    }
  }

  /** The file at `path` is being replaced or removed: its kept handle (if any) is closed once no read uses it. */
  forget(path: string): void {
    const e = this.entries.get(path);
    if (e) this.drop(path, e);
  }

  private drop(path: string, e: Entry): void {
    if (this.entries.get(path) === e) this.entries.delete(path);
    if (e.dropped) return;
    e.dropped = true;
    if (e.users === 0) void this.close(e);
  }

  private async close(e: Entry): Promise<void> {
    try {
      await (await e.handle).close();
    } catch {
      // never opened, or closed already: nothing to release
    }
  }

  private evict(): void {
    for (const [path, e] of this.entries) {
      if (this.entries.size <= this.max) break;
      this.drop(path, e);
    }
  }

  /** Idle handles are closed by a timer that runs only while some are kept (and never holds the process open). */
  private sweep(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [path, e] of this.entries) if (e.users === 0 && now - e.lastUsed >= this.idleMs) this.drop(path, e);
      if (this.entries.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, this.idleMs);
    this.sweeper.unref?.();
  }
}
