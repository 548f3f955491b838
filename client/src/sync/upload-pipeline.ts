/**
 * A pass's small-file uploads as a pipeline of batches (issue 20). The pass hands each small file
 * to `add` as it reaches it: the file is read and hashed there and then, its intent noted, and it
 * joins the open batch; a full batch is sent (missing blocks, packs, one commit of all its files:
 * transfer/batch-upload.ts) while the pass goes on, with up to three batches under way (the
 * pipeline of transfer/batch-pipeline.ts, which `coffer put -r` uses too). What
 * came back is settled in the pass's own flow (`settle`, `drain`), one journal catch-up and one
 * save of the base per batch, each file exactly as actions.upload settles a single upload.
 *
 * The rules of a single upload hold: a file's intent is saved before any commit naming it is
 * sent; a request whose answer is lost leaves the intents for the next pass to settle by content
 * hash; an answer is recorded only after the picture caught up past it.
 */
import { BatchPipeline, type BatchAnswer } from '../transfer/batch-pipeline.js';
import { BATCH_FILE_BYTES, readSmall, resultError, type BatchApi, type BatchItem } from '../transfer/batch-upload.js';
import { passedOver, readable, settleUpload, type StepResult } from './actions.js';
import type { BatchUploads, SyncContext } from './context.js';
import { catchUp } from './follower.js';
import { absOf } from './remote.js';
import type { BaseEntry } from './state.js';

interface Queued extends BatchItem {
  rel: string;
}

export class UploadPipeline implements BatchUploads {
  private readonly batches: BatchPipeline<Queued>;
  private again = false;

  constructor(
    private readonly ctx: SyncContext,
    api: BatchApi,
  ) {
    // The intents are durable before any commit naming their files is sent.
    this.batches = new BatchPipeline<Queued>(api, { stats: ctx.stats, ...(ctx.blockCache ? { cache: ctx.blockCache } : {}), beforeSend: () => ctx.state.save() });
  }

  /** Queue the upload of `rel` (its folder exists remotely). Undefined: not a small file, upload it on its own. */
  async add(rel: string, known: BaseEntry | undefined): Promise<StepResult | undefined> {
    const { ctx } = this;
    // Read ahead of the pass (read-ahead.ts), or here and now.
    let read = await ctx.readAhead?.get(rel);
    if (!read) {
      const st = await ctx.fs.lstat(rel);
      if (!st || st.kind !== 'file' || st.size > BATCH_FILE_BYTES) return undefined;
      try {
        read = await readSmall(readable(ctx, rel, { small: true }));
      } catch (err) {
        if (passedOver(err)) return 'again';
        throw err;
      }
    }
    if (!read.stable || read.stat.kind !== 'file') return 'again'; // written to while read
    if (read.stat.size > BATCH_FILE_BYTES) return undefined;
    const { stat, contentHash } = read;
    ctx.state.setIntent(rel, { kind: 'upload', contentHash, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, cursor: ctx.cursor });
    await this.batches.add({
      rel,
      read,
      ...(known?.contentHash ? { baseContentHash: known.contentHash } : {}),
      commit: {
        path: absOf(ctx.remoteRoot, rel),
        size: stat.size,
        blocks: read.blocks,
        baseRev: known ? known.rev : null,
        ...(known ? { fileId: known.fileId } : {}),
        mtime: stat.mtimeMs,
        onConflict: 'copy',
      },
    });
    await this.settle();
    return 'done';
  }

  /** Settle the batches answered so far (in the pass's flow: they touch the picture and the base). */
  async settle(): Promise<void> {
    for (let a = this.batches.nextAnswer(); a; a = this.batches.nextAnswer()) await this.settleBatch(a);
  }

  /** Send what is queued, wait for every batch, settle them all: 'again' when a file needs the next pass. */
  async drain(): Promise<StepResult> {
    await this.batches.finish();
    await this.settle();
    return this.again ? 'again' : 'done';
  }

  /** Wait until no batch is under way, settling nothing (a pass that failed). */
  async quiesce(): Promise<void> {
    await this.batches.quiesce();
  }

  private async settleBatch(a: BatchAnswer<Queued>): Promise<void> {
    const { ctx } = this;
    // No answer: the files may or may not have committed; their intents settle it next pass.
    if ('error' in a) throw a.error;
    for (const q of a.batch) ctx.state.setIntent(q.rel, undefined);
    const committed = a.batch.flatMap((q, i) => {
      const r = a.results[i]!;
      return r.ok ? [{ q, answer: r.file }] : [];
    });
    try {
      await catchUp(ctx);
    } catch (err) {
      for (const { q } of committed) {
        const { stat, contentHash } = q.read;
        ctx.state.setIntent(q.rel, { kind: 'upload', contentHash, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, cursor: ctx.cursor });
      }
      throw err;
    }
    let failed: unknown;
    for (const [i, q] of a.batch.entries()) {
      const r = a.results[i]!;
      const err = resultError(r);
      let step: StepResult;
      if (!err && r.ok) step = await settleUpload(ctx, q.rel, { answer: r.file, stat: q.read.stat, contentHash: q.read.contentHash }, false);
      else if (passedOver(err) || err?.code === 'missing_blocks') step = 'again'; // a block collected meanwhile: sent again next pass
      else {
        failed ??= err;
        step = 'again';
      }
      if (step === 'again') this.again = true;
    }
    await ctx.state.save();
    if (failed) throw failed;
  }
}
