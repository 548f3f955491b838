/**
 * Calls that arrive together, run as one: each `call` joins the next batch, which starts in the
 * next turn of the event loop, or once a running batch finishes when `maxInFlight` are running
 * (group commit: under load the batches grow instead of queueing). Every caller gets its own
 * answer, or the batch's failure. For statements on many rows at once (db/block-metadata.ts).
 */
interface Waiting<I, O> {
  input: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

export class Coalescer<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    /** Answers one output per input, in order. */
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly opts: { maxBatch: number; maxInFlight: number } = { maxBatch: 500, maxInFlight: 2 },
  ) {}

  call(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.next();
    });
  }

  private next(): void {
    while (this.waiting.length > 0 && this.running < this.opts.maxInFlight) {
      const batch = this.waiting.splice(0, this.opts.maxBatch);
      this.running++;
      void this.runBatch(batch).finally(() => {
        this.running--;
        if (this.waiting.length > 0) this.schedule();
      });
    }
  }

  private async runBatch(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outs = await this.run(batch.map((w) => w.input));
      if (outs.length !== batch.length) throw new Error(`a coalesced batch answered ${outs.length} results for ${batch.length} calls`);
      batch.forEach((w, i) => w.resolve(outs[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
