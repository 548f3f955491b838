/**
 * A pass's reads of small files, done ahead of it (issue 20). Before the file phase the pass names
 * the small files it will likely read — new here, or changed here since the base (a new inode or
 * time: hashed to see whether only the stat moved, or uploaded) — in the order it will reach them;
 * this reads each whole (blocks, hashes, the stat it was read at: batch-upload.ts `readSmall`),
 * several at once, within a memory budget. One at a time in the pass, a tree of thousands of
 * small files waited on five file-system calls per file (open, stat, read, stat, close) on the
 * thread pool, and a changed file was read twice (hashed, then read again for its batch).
 *
 * A read ahead is what the pass's own read would have been a moment earlier: a file changed after
 * it is seen changed by the next pass (its stat differs from the one recorded), as when it changes
 * right after a read in the pass. A file that failed to read, or changed while read, is simply
 * read again by the pass.
 */
import { BATCH_FILE_BYTES, readSmall, type ReadSmall } from '../transfer/batch-upload.js';
import { readable } from './actions.js';
import type { SyncContext } from './context.js';
import type { LocalEntry } from './scanner.js';
import { unchanged } from './state.js';

/** Bytes read ahead and not yet passed, at most. */
const AHEAD_BYTES = 16 * 1024 * 1024;
/** Files read at once (each a few calls on the thread pool). */
const READS_AT_ONCE = 8;

interface Candidate {
  pos: number;
  rel: string;
  size: number;
}

interface Held {
  pos: number;
  size: number;
  read: Promise<ReadSmall | undefined>;
}

/** For a pass over `paths` (in its order): the small files it will likely read, or undefined when there are none. */
export function readAheadFor(ctx: SyncContext, paths: readonly string[], local: ReadonlyMap<string, LocalEntry>): ReadAhead | undefined {
  const queue: Candidate[] = [];
  for (const [pos, rel] of paths.entries()) {
    const l = local.get(rel);
    if (l?.kind !== 'file' || l.size > BATCH_FILE_BYTES) continue;
    const b = ctx.state.get(rel);
    if (b && !b.isDir && unchanged(l, b)) continue; // not changed here: not read
    if (ctx.ignore.ignoredPath(rel, false)) continue;
    queue.push({ pos, rel, size: l.size });
  }
  return queue.length > 0 ? new ReadAhead(ctx, queue) : undefined;
}

export class ReadAhead {
  private next = 0;
  private inFlight = 0;
  private heldBytes = 0;
  private readonly held = new Map<string, Held>();
  private closed = false;

  constructor(
    private readonly ctx: Pick<SyncContext, 'fs'>,
    private readonly queue: readonly Candidate[],
  ) {}

  /** The pass reached position `pos`: what it passed is dropped, and reads ahead start. */
  reach(pos: number): void {
    // Held in the pass's order: the passed ones come first.
    for (const [rel, h] of this.held) {
      if (h.pos >= pos) break;
      this.drop(rel, h);
    }
    this.pump();
  }

  /** `rel` as read ahead (undefined: not read ahead, or the read failed; read it in the pass). Held until the pass moves past it. */
  async get(rel: string): Promise<ReadSmall | undefined> {
    return this.held.get(rel)?.read;
  }

  /** The pass is over: nothing more starts, and nothing is held. */
  close(): void {
    this.closed = true;
    for (const [rel, h] of this.held) this.drop(rel, h);
  }

  private drop(rel: string, h: Held): void {
    this.held.delete(rel);
    this.heldBytes -= h.size;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < READS_AT_ONCE && this.heldBytes < AHEAD_BYTES && this.next < this.queue.length) {
      const c = this.queue[this.next++]!;
      this.inFlight++;
      // A failed read is no failure here: the pass reads the file itself and answers for it.
      const read = readSmall(readable(this.ctx, c.rel, { small: true })).then(
        (r) => (r.stable && r.stat.kind === 'file' ? r : undefined),
        () => undefined,
      );
      void read.finally(() => {
        this.inFlight--;
        this.pump();
      });
      this.held.set(c.rel, { pos: c.pos, size: c.size, read });
      this.heldBytes += c.size;
    }
  }
}
