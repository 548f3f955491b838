/**
 * A pass's uploads of files too big for a batch (issue 20), in the background: the pass hands
 * each to `add` and goes on (small files into their batches, other steps), while up to
 * BIG_UPLOADS_AT_ONCE files are read, sent and committed meanwhile (`actions.uploadAlone`: its
 * intent saved before its commit is sent, as on its own). A pass of one big file and many small
 * ones used to wait for every byte of the big file before reading the next small one; now the
 * server seals the big file's packs while the agent reads and batches the rest, on two cores.
 *
 * What came back is settled in the pass's own flow (`settle`, `drain`), exactly as a single
 * upload settles (`actions.finishUpload`: catch up past the commit, then record it), so nothing
 * that touches the picture or the base runs concurrently with the pass. A failure that is not the
 * file's own (the network, the server) is thrown at the next settle, failing the pass as it did
 * inline; the file's intent settles it next pass.
 */
import { FileChangedError, type Uploaded } from '../transfer/upload.js';
import { finishUpload, passedOver, uploadAlone, type StepResult } from './actions.js';
import type { BigUploads as BigUploadsPort, SyncContext } from './context.js';
import type { BaseEntry } from './state.js';

/** Files uploaded at once: each keeps a pack filling and one on the wire (~32 MiB), and two keep both cores busy. */
export const BIG_UPLOADS_AT_ONCE = 2;

type Outcome = { rel: string; up: Uploaded } | { rel: string; again: true } | { rel: string; error: unknown };

export class BigUploads implements BigUploadsPort {
  private readonly running = new Set<Promise<void>>();
  private readonly answered: Outcome[] = [];
  private again = false;

  constructor(
    private readonly ctx: SyncContext,
    private readonly atOnce = BIG_UPLOADS_AT_ONCE,
  ) {}

  /** Start uploading `rel` (its folder exists remotely) once a slot is free; its result is settled later. */
  async add(rel: string, known: BaseEntry | undefined): Promise<StepResult> {
    while (this.running.size >= this.atOnce) await Promise.race(this.running);
    await this.settle();
    const p: Promise<void> = uploadAlone(this.ctx, rel, known).then(
      (up) => void this.answered.push({ rel, up }),
      (error: unknown) => void this.answered.push(error instanceof FileChangedError || passedOver(error) ? { rel, again: true } : { rel, error }),
    );
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return 'done';
  }

  /** Settle the uploads answered so far (in the pass's flow: they touch the picture and the base). */
  async settle(): Promise<void> {
    for (let o = this.answered.shift(); o; o = this.answered.shift()) {
      if ('error' in o) throw o.error;
      if ('again' in o || (await finishUpload(this.ctx, o.rel, o.up)) === 'again') this.again = true;
    }
  }

  /** Wait for every upload and settle them all: 'again' when a file needs the next pass. */
  async drain(): Promise<StepResult> {
    while (this.running.size > 0) await Promise.all(this.running);
    await this.settle();
    return this.again ? 'again' : 'done';
  }

  /** Wait until none is under way, settling nothing (a pass that failed: their intents settle them next pass). */
  async quiesce(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled(this.running);
  }
}
