/**
 * A pass's downloads of small files, fetched ahead in batches (issue 20). Before the file phase
 * the pass names the files it will likely download (changed remotely, small) in the order it will
 * reach them; this fetches their block lists and blocks a few batches ahead of the pass
 * (transfer/batch-download.ts: two requests a batch), within a memory budget. The pass's own
 * download step (actions.ts) then takes a file's verified content from here instead of asking for
 * it alone, and writes it exactly as before (temp file, intent, replace). Whatever is not here — a
 * file the pass decides otherwise about, one replaced meanwhile, a batch that failed — takes the
 * per-file path, which answers for it as before.
 *
 * A served file is also written ahead into its temp file (.coffer/tmp/*.part: written, fsync'd,
 * its time set), several at once: one at a time in the pass, a restore of thousands of small
 * files spent most of its time waiting on those calls. The pass's step then only puts the temp in
 * place; a temp the pass does not take is removed (and a crash leaves only .part files, which
 * the next start removes).
 */
import {
  BATCH_DOWNLOAD_FILE_BYTES,
  DOWNLOAD_BATCH_BYTES,
  DOWNLOAD_BATCH_FILES,
  DOWNLOAD_BATCHES_IN_FLIGHT,
  batchDownloadApi,
  fetchBatch,
  type BatchDownloadApi,
  type Served,
  type WantedFile,
} from '../transfer/batch-download.js';
import { atMost } from '../at-most.js';
import type { TransferStats } from '../transfer/stats.js';
import type { Ahead, DownloadsAhead, SyncContext } from './context.js';
import type { RemoteEntry } from './remote.js';

/** Bytes fetched ahead and not yet taken (or under way), at most. */
const AHEAD_BYTES = 32 * 1024 * 1024;
/** Temp files being written ahead at once (each a few file-system calls and an fsync on the thread pool). */
const TEMP_WRITES = 8;

export interface Candidate {
  /** The file's position in the pass's order. */
  pos: number;
  file: WantedFile;
  /** The time the journal gave it, used when the batch does not bring the file's own. */
  mtimeMs: number;
}

interface Held {
  pos: number;
  size: number;
  content: Promise<Ahead | undefined>;
}

/**
 * Files new here are fetched ahead up to this size (others up to BATCH_DOWNLOAD_FILE_BYTES): with
 * no local copy there is no delta to fetch them as, and one at a time in the pass (three requests
 * in a row each) the few MiB-sized files of a restore were its last 1.6 s (bench:tree: the 1-9 MiB
 * .js files of a typescript package, after the small files had all come).
 */
const NEW_FILE_AHEAD_BYTES = 16 * 1024 * 1024;

/** Whether a remote entry is worth fetching ahead; `newHere`: no local copy and no base. */
function prefetchable(r: RemoteEntry | undefined, newHere: boolean): r is RemoteEntry {
  return !!r && !r.isDir && r.rev > 0 && r.contentHash !== null && r.size <= (newHere ? NEW_FILE_AHEAD_BYTES : BATCH_DOWNLOAD_FILE_BYTES);
}

/** For a pass over `paths` (in its order): the files it will likely download — new or changed remotely, small (or new here), not a folder here. */
export function prefetchFor(ctx: SyncContext, paths: readonly string[], local: ReadonlyMap<string, { kind: string }>): DownloadPrefetch | undefined {
  const api = batchDownloadApi(ctx.api);
  if (!api) return undefined;
  const queue: Candidate[] = [];
  for (const [pos, p] of paths.entries()) {
    const r = ctx.remote.get(p);
    const b = ctx.state.get(p);
    if (!prefetchable(r, !local.has(p) && !b) || local.get(p)?.kind === 'dir') continue;
    if (b && !b.isDir && b.fileId === r.id && b.rev === r.rev) continue; // not changed remotely
    if (ctx.ignore.ignoredPath(p, false)) continue;
    queue.push({ pos, file: { id: r.id, rev: r.rev, size: r.size, contentHash: r.contentHash, ...(r.listed ? { listed: r.listed } : {}) }, mtimeMs: r.mtimeMs });
  }
  return queue.length > 0 ? new DownloadPrefetch(ctx, api, queue) : undefined;
}

export class DownloadPrefetch implements DownloadsAhead {
  private next = 0;
  private inFlight = 0;
  private heldBytes = 0;
  private readonly held = new Map<string, Held>();
  private readonly writing = atMost(TEMP_WRITES);
  private closed = false;

  constructor(
    private readonly ctx: Pick<SyncContext, 'fs' | 'local'> & { stats?: TransferStats },
    private readonly api: BatchDownloadApi,
    private readonly queue: readonly Candidate[],
  ) {}

  /** The pass reached position `pos`: what it passed without taking is dropped, and batches ahead start. */
  reach(pos: number): void {
    // Held in the pass's order (batches start in queue order): the passed ones come first.
    for (const [key, h] of this.held) {
      if (h.pos >= pos) break;
      void this.release(key, h);
    }
    this.pump();
  }

  /** The content of file `id` at `rev` when it was fetched ahead (each once); undefined: fetch it alone. */
  async take(id: string, rev: number): Promise<Ahead | undefined> {
    const key = `${id}:${rev}`;
    const h = this.held.get(key);
    if (!h) return undefined;
    const content = await h.content;
    this.forget(key, h);
    this.pump();
    return content;
  }

  /** The pass is over: nothing more starts, and every temp written ahead and not taken is removed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.held].map(([key, h]) => this.release(key, h)));
  }

  private forget(key: string, h: Held): void {
    this.held.delete(key);
    this.heldBytes -= h.size;
  }

  /** Not taken: forget it and remove its temp once written. */
  private release(key: string, h: Held): Promise<void> {
    this.forget(key, h);
    return h.content.then((a) => (a?.temp ? this.ctx.local.discard(a.temp) : undefined)).catch(() => undefined);
  }

  /** Write a served file into a new temp file (fsync'd, its time set); undefined when that failed (the step writes it itself). */
  private writeTemp(served: Served, c: Candidate): Promise<Ahead> {
    return this.writing(async () => {
      if (this.closed) return served;
      let temp: string | undefined;
      try {
        temp = await this.ctx.local.newTemp();
        const out = await this.ctx.fs.createExclusive(temp);
        try {
          for (const d of served.data) await out.write(d);
          await out.sync();
        } finally {
          await out.close();
        }
        await this.ctx.fs.utimes(temp, served.modifiedAt !== undefined ? Date.parse(served.modifiedAt) : c.mtimeMs);
        const stat = await this.ctx.fs.lstat(temp);
        if (!stat) return served;
        return { ...served, data: [], temp, stat };
      } catch {
        if (temp) await this.ctx.local.discard(temp);
        return served;
      }
    });
  }

  private pump(): void {
    while (this.inFlight < DOWNLOAD_BATCHES_IN_FLIGHT && this.heldBytes < AHEAD_BYTES && this.next < this.queue.length) {
      const batch: Candidate[] = [];
      let bytes = 0;
      while (this.next < this.queue.length && batch.length < DOWNLOAD_BATCH_FILES) {
        const c = this.queue[this.next]!;
        if (batch.length > 0 && bytes + c.file.size > DOWNLOAD_BATCH_BYTES) break;
        batch.push(c);
        bytes += c.file.size;
        this.next++;
      }
      this.inFlight++;
      // A failed batch is no failure of the pass: its files take the per-file path, which reports.
      const outcomes = fetchBatch(this.api, batch.map((c) => c.file), this.ctx.stats).catch(() => undefined);
      void outcomes.finally(() => {
        this.inFlight--;
        this.pump();
      });
      for (const [i, c] of batch.entries()) {
        const content = outcomes.then((o) => (o?.[i]?.ok ? this.writeTemp(o[i].content, c) : undefined));
        this.held.set(`${c.file.id}:${c.file.rev}`, { pos: c.pos, size: c.file.size, content });
        this.heldBytes += c.file.size;
      }
    }
  }
}
