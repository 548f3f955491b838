/**
 * A pass's downloads of small files, fetched ahead in batches (issue 20). Before the file phase
 * the pass names the files it will likely download (changed remotely, small) in the order it will
 * reach them; this fetches their block lists and blocks a few batches ahead of the pass
 * (transfer/batch-download.ts: two requests a batch), within a memory budget. The pass's own
 * download step (actions.ts) then takes a file's verified content from here instead of asking for
 * it alone, and writes it exactly as before (temp file, intent, replace). Whatever is not here — a
 * file the pass decides otherwise about, one replaced meanwhile, a batch that failed — takes the
 * per-file path, which answers for it as before.
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
import type { TransferStats } from '../transfer/stats.js';
import type { DownloadsAhead, SyncContext } from './context.js';
import type { RemoteEntry } from './remote.js';

/** Bytes fetched ahead and not yet taken (or under way), at most. */
const AHEAD_BYTES = 32 * 1024 * 1024;

export interface Candidate {
  /** The file's position in the pass's order. */
  pos: number;
  file: WantedFile;
}

interface Held {
  pos: number;
  size: number;
  content: Promise<Served | undefined>;
}

/** Whether a remote entry is worth fetching ahead. */
function prefetchable(r: RemoteEntry | undefined): r is RemoteEntry {
  return !!r && !r.isDir && r.rev > 0 && r.contentHash !== null && r.size <= BATCH_DOWNLOAD_FILE_BYTES;
}

/** For a pass over `paths` (in its order): the files it will likely download — new or changed remotely, small, not a folder here. */
export function prefetchFor(ctx: SyncContext, paths: readonly string[], local: ReadonlyMap<string, { kind: string }>): DownloadPrefetch | undefined {
  const api = batchDownloadApi(ctx.api);
  if (!api) return undefined;
  const queue: Candidate[] = [];
  for (const [pos, p] of paths.entries()) {
    const r = ctx.remote.get(p);
    const b = ctx.state.get(p);
    if (!prefetchable(r) || local.get(p)?.kind === 'dir' || ctx.ignore.ignoredPath(p, false)) continue;
    if (b && !b.isDir && b.fileId === r.id && b.rev === r.rev) continue; // not changed remotely
    queue.push({ pos, file: { id: r.id, rev: r.rev, size: r.size, contentHash: r.contentHash } });
  }
  return queue.length > 0 ? new DownloadPrefetch(api, queue, ctx.stats) : undefined;
}

export class DownloadPrefetch implements DownloadsAhead {
  private next = 0;
  private inFlight = 0;
  private heldBytes = 0;
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly api: BatchDownloadApi,
    private readonly queue: readonly Candidate[],
    private readonly stats?: TransferStats,
  ) {}

  /** The pass reached position `pos`: what it passed without taking is dropped, and batches ahead start. */
  reach(pos: number): void {
    // Held in the pass's order (batches start in queue order): the passed ones come first.
    for (const [key, h] of this.held) {
      if (h.pos >= pos) break;
      this.release(key, h);
    }
    this.pump();
  }

  /** The content of file `id` at `rev` when it was fetched ahead (each once); undefined: fetch it alone. */
  async take(id: string, rev: number): Promise<Served | undefined> {
    const key = `${id}:${rev}`;
    const h = this.held.get(key);
    if (!h) return undefined;
    const content = await h.content;
    this.release(key, h);
    this.pump();
    return content;
  }

  private release(key: string, h: Held): void {
    this.held.delete(key);
    this.heldBytes -= h.size;
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
      const outcomes = fetchBatch(this.api, batch.map((c) => c.file), this.stats).catch(() => undefined);
      void outcomes.finally(() => {
        this.inFlight--;
        this.pump();
      });
      for (const [i, c] of batch.entries()) {
        const content = outcomes.then((o) => (o?.[i]?.ok ? o[i].content : undefined));
        this.held.set(`${c.file.id}:${c.file.rev}`, { pos: c.pos, size: c.file.size, content });
        this.heldBytes += c.file.size;
      }
    }
  }
}
