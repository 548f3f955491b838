/**
 * A big new file another device of the user is uploading, fetched while it uploads (issue 21).
 * The uploader announces each pack of the file once the server stored it (the `uploading` event:
 * the blocks, one after the other from an offset; upload.ts ANNOUNCED_PACKS); this device fetches
 * those blocks (readable to the user before the commit) and writes them, in file order, into a
 * temp file of its own. When the commit comes, the pass's download step (actions.ts) takes that
 * temp: the blocks it holds that begin the committed block list stay, the rest are fetched after
 * them, and it is placed as any download is (fsync, intent, replace). So a new 100 MiB file is on
 * this device about when its upload ends, instead of a whole download after it.
 *
 * Only for a path under the synced folder, not ignored, that this device has no file, base entry
 * or remote entry at: an edit's download reuses the local file's blocks (assemble.ts), which this would
 * not. Everything here is best effort: a block that cannot be fetched ends that file's early fetch
 * (what was written is kept for the commit), and a file whose commit never comes (its upload
 * failed or was abandoned) is removed after a quiet minute. Nothing is placed, recorded or decided
 * here: the pass alone does that, as before.
 */
import type { BlockRef } from '@coffer/protocol';
import { writeBlocks } from '../transfer/assemble.js';
import { NEARLY_NEW } from '../transfer/wire-send.js';
import type { WriteHandle } from '../transfer/file-handle.js';
import type { EarlyFetches, SyncContext } from './context.js';
import { relOf } from './remote.js';
import { trace } from './trace.js';

/** Files fetched early at once (each a temp file being written and its requests). */
const FILES_AT_ONCE = 2;
/** Announced groups (packs, ~16 MiB) of one file fetched at once: the next one's first blocks come while the one before is written. */
const GROUPS_AT_ONCE = 2;
/** A file with no announcement and not taken for this long is dropped (its upload stopped). */
const QUIET_MS = 60_000;

interface Early {
  /** Its temp file, open; undefined when the file turned out not to be for fetching early. */
  opened: Promise<{ temp: string; out: WriteHandle } | undefined>;
  /** Blocks written, in file order from offset 0. */
  written: BlockRef[];
  writtenBytes: number;
  /** Announced blocks not yet fetched, by their offset. */
  pending: Map<number, BlockRef[]>;
  /** Where the next group to fetch starts, and the groups being fetched and written. */
  fetchAt: number;
  fetching: number;
  /** Settles once every group started is written (or failed). */
  running: Promise<void>;
  failed: boolean;
  /** A fetch or write failed midway: the temp is dropped, not taken. */
  broken: boolean;
  /** Taken by the download step (groups under way finish, none starts), or dropped (all stop). */
  stop: 'take' | 'drop' | undefined;
  cancelQuiet: () => void;
}

export class EarlyFetch implements EarlyFetches {
  readonly #files = new Map<string, Early>();

  constructor(private readonly ctx: SyncContext) {}

  /** From the event socket: `blocks` of `path` (`size` bytes in all) are stored on the server, from `offset` on. */
  note(path: string, size: number, offset: number, blocks: readonly BlockRef[]): void {
    const rel = relOf(this.ctx.remoteRoot, path);
    if (rel === undefined || rel === '' || this.ctx.ignore.ignoredPath(rel, false)) return;
    let e = this.#files.get(rel);
    if (!e) {
      // Joined midway (its start is not announced again), busy, or known here as more than a sliver of it: not fetched early.
      const small = (n: number | undefined) => n === undefined || n <= size * NEARLY_NEW;
      if (offset !== 0 || this.#files.size >= FILES_AT_ONCE || !small(this.ctx.state.get(rel)?.size) || !small(this.ctx.remote.get(rel)?.size)) return;
      const opened = this.#open(rel, size);
      e = { opened, written: [], writtenBytes: 0, pending: new Map(), fetchAt: 0, fetching: 0, running: opened.then(() => undefined), failed: false, broken: false, stop: undefined, cancelQuiet: () => undefined };
      this.#files.set(rel, e);
      trace(`early-start ${rel}`);
    }
    if (e.stop || e.failed) return;
    e.pending.set(offset, [...blocks]);
    this.#quiet(rel, e);
    this.#next(rel, e);
  }

  /** A temp file for `rel`, unless more than a sliver of a file of `size` is there already (the pass handles that one). */
  async #open(rel: string, size: number): Promise<{ temp: string; out: WriteHandle } | undefined> {
    try {
      const here = await this.ctx.fs.lstat(rel);
      if (here && (here.kind !== 'file' || here.size > size * NEARLY_NEW)) return undefined;
      const temp = await this.ctx.local.newTemp();
      return { temp, out: await this.ctx.fs.createExclusive(temp) };
    } catch (err) {
      this.ctx.log(`early fetch of ${rel}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /**
   * Start fetching the announced groups that come next in the file, up to GROUPS_AT_ONCE: the
   * next one's blocks are fetched while the one before is written (each group's writes wait for
   * the group before it, so the temp is written in file order, and a group fetches only a few
   * blocks ahead of its writes: writeBlocks).
   */
  #next(rel: string, e: Early): void {
    for (;;) {
      const group = e.pending.get(e.fetchAt);
      if (!group || e.stop || e.failed || e.fetching >= GROUPS_AT_ONCE) return;
      e.pending.delete(e.fetchAt);
      e.fetchAt += group.reduce((n, b) => n + b.size, 0);
      e.fetching++;
      const before = e.running;
      let done = 0;
      let doneBytes = 0;
      const wrote = (async () => {
        const out = (await e.opened)?.out;
        if (!out) return this.#notForEarly(rel, e);
        await writeBlocks(
          this.ctx.api,
          group,
          {
            write: async (bytes) => {
              await before; // the groups before this one are written
              if (e.broken || e.stop === 'drop') throw new Error('stopped');
              await out.write(bytes);
            },
            sync: async () => undefined,
            close: async () => undefined,
          },
          {
            stats: this.ctx.stats,
            // Called once a block is written, with the group's bytes written so far: the temp holds it.
            onProgress: (_phase, bytes) => {
              while (done < group.length && doneBytes + group[done]!.size <= bytes) {
                doneBytes += group[done]!.size;
                e.written.push(group[done]!);
                e.writtenBytes += group[done]!.size;
                done++;
              }
            },
          },
        );
        trace(`early-written ${e.writtenBytes}`);
      })();
      e.running = Promise.all([before, wrote]).then(
        () => undefined,
        (err: unknown) => {
          // A write that failed may have left part of a block: nothing of this temp is trusted.
          if (!e.broken && e.stop !== 'drop') this.ctx.log(`early fetch of ${rel} stopped (${(err as Error).message}); the file comes after the commit`);
          e.failed = true;
          e.broken = true;
        },
      );
      void wrote
        .catch(() => undefined)
        .finally(() => {
          e.fetching--;
          this.#next(rel, e);
        });
    }
  }

  /** Not a file to fetch early after all (one is here, as on the device uploading it): its slot is free again. */
  #notForEarly(rel: string, e: Early): void {
    e.failed = true;
    if (this.#files.get(rel) === e) {
      e.cancelQuiet();
      this.#files.delete(rel);
    }
  }

  #quiet(rel: string, e: Early): void {
    e.cancelQuiet();
    e.cancelQuiet = this.ctx.clock.timer(() => {
      if (this.#files.get(rel) === e && !e.stop) void this.#drop(rel, e);
    }, QUIET_MS);
  }

  async #drop(rel: string, e: Early): Promise<void> {
    e.stop = 'drop';
    e.cancelQuiet();
    this.#files.delete(rel);
    await e.running;
    const o = await e.opened;
    if (!o) return;
    await o.out.close().catch(() => undefined);
    await this.ctx.local.discard(o.temp);
  }

  /**
   * The download step's: the temp file of `rel` holding the blocks fetched early that begin
   * `blocks` (the committed list), with the rest of `blocks` written after them; synced and
   * closed, the caller's to place or discard. Undefined when nothing fetched early is of use.
   */
  async take(rel: string, blocks: readonly BlockRef[]): Promise<string | undefined> {
    const e = this.#files.get(rel);
    if (!e || e.stop) return undefined;
    e.stop = 'take';
    e.cancelQuiet();
    this.#files.delete(rel);
    await e.running;
    let k = 0;
    while (k < e.written.length && k < blocks.length && e.written[k]!.hash === blocks[k]!.hash && e.written[k]!.size === blocks[k]!.size) k++;
    const o = await e.opened;
    if (!o) return undefined;
    if (k === 0 || k < e.written.length || e.broken) {
      // Nothing of use, or blocks written past where the lists part (another file now): the usual way.
      await o.out.close().catch(() => undefined);
      await this.ctx.local.discard(o.temp);
      return undefined;
    }
    trace(`early-taken ${k} of ${blocks.length}`);
    try {
      try {
        await writeBlocks(this.ctx.api, blocks.slice(k), o.out, { stats: this.ctx.stats });
        await o.out.sync();
      } finally {
        await o.out.close();
      }
    } catch (err) {
      await this.ctx.local.discard(o.temp);
      throw err;
    }
    return o.temp;
  }

  /** Drop every file fetched early (the agent stops). */
  async stop(): Promise<void> {
    await Promise.all([...this.#files].map(([rel, e]) => this.#drop(rel, e)));
  }
}
