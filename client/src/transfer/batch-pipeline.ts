/**
 * Small files as a pipeline of batches (issue 20), shared by the sync agent (sync/upload-pipeline.ts)
 * and `coffer put -r` (cli/tree-transfer.ts): items join the open batch as the caller reaches
 * them; a batch is sealed at BATCH_FILES files or BATCH_BYTES bytes and sent (missing blocks,
 * packs, one commit: batch-upload.ts `sendBatch`) while the caller goes on reading, with up to
 * `inFlight` batches under way. Answers are queued, not handled here: the caller takes them
 * (`nextAnswer`) in its own flow, so whatever settles them never runs concurrently with itself.
 */
import { BATCH_BYTES, BATCH_FILES, sendBatch, type BatchApi, type BatchItem, type SentBatch } from './batch-upload.js';
import type { BlockCache } from './block-cache.js';
import type { TransferStats } from './stats.js';

/** Batches sent and not yet answered: enough to overlap reading, sending and committing. */
export const BATCHES_IN_FLIGHT = 3;

/** A sent batch and what came of it (an answer per item, in order; the blocks sent), or the request's failure (nothing known of its files). */
export type BatchAnswer<Q extends BatchItem> = ({ batch: Q[] } & SentBatch) | { batch: Q[]; error: unknown };

export interface BatchPipelineOptions<Q extends BatchItem> {
  stats?: TransferStats;
  /** Plaintext of blocks sent before: small files' edits go as deltas against their previous version (issue 21). */
  cache?: BlockCache;
  inFlight?: number;
  /** Runs before a batch is sent (the agent saves the batch's intents here); a failure stops the send. */
  beforeSend?: (batch: readonly Q[]) => Promise<void>;
}

export class BatchPipeline<Q extends BatchItem> {
  private open: Q[] = [];
  private openBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly answered: BatchAnswer<Q>[] = [];

  constructor(
    private readonly api: BatchApi,
    private readonly o: BatchPipelineOptions<Q> = {},
  ) {}

  /** Queue an item; when that fills the open batch, send it (waiting for a free slot first). */
  async add(item: Q): Promise<void> {
    this.open.push(item);
    this.openBytes += item.commit.size;
    if (this.open.length >= BATCH_FILES || this.openBytes >= BATCH_BYTES) await this.send();
  }

  /** The oldest batch answered and not yet handed out (each is handed out once). */
  nextAnswer(): BatchAnswer<Q> | undefined {
    return this.answered.shift();
  }

  /** Nothing queued, under way, or answered and not yet handed out. */
  idle(): boolean {
    return this.open.length === 0 && this.inFlight.size === 0 && this.answered.length === 0;
  }

  /** Send what is queued and wait until every batch is answered (take the answers after). */
  async finish(): Promise<void> {
    await this.send();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Wait until no batch is under way, whatever their outcome (a caller that is giving up). */
  async quiesce(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  /** Seal the open batch and send it, once fewer than `inFlight` batches are under way. */
  async send(): Promise<void> {
    if (this.open.length === 0) return;
    const batch = this.open;
    this.open = [];
    this.openBytes = 0;
    await this.o.beforeSend?.(batch);
    while (this.inFlight.size >= (this.o.inFlight ?? BATCHES_IN_FLIGHT)) await Promise.race(this.inFlight);
    const p: Promise<void> = sendBatch(this.api, batch, this.o.stats, this.o.cache).then(
      (sent) => void this.answered.push({ batch, ...sent }),
      (error: unknown) => void this.answered.push({ batch, error }),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
