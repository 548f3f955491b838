/**
 * How many bytes of pack uploads the server works on at once (issue 20: memory bounded;
 * routes/blocks.ts, COFFER_PACK_BUDGET_MIB). A pack upload holds its body, what was decoded from
 * it, the sealed blocks and their shards until it is stored (~3x the body), and the bodies' pool
 * keeps spares of what was in use at once; two agents each sending two big files on two lanes had
 * eight 16 MiB packs under way. Work past the budget waits, first come first served, its body
 * unread meanwhile (the client's socket and the kernel hold it); a piece bigger than the whole
 * budget runs alone. (A budget for fetch answers, 16 MiB, measured the same: no lower peak.)
 */
export class ByteBudget {
  #free: number;
  readonly #waiting: { bytes: number; go: () => void }[] = [];

  constructor(readonly total: number) {
    this.#free = total;
  }

  /** Runs `fn` once `bytes` of the budget are free, and gives them back when it settles. */
  async run<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
    const want = Math.max(0, Math.min(bytes, this.total));
    await this.#take(want);
    try {
      return await fn();
    } finally {
      this.#free += want;
      this.#wake();
    }
  }

  #take(bytes: number): Promise<void> {
    if (this.#waiting.length === 0 && this.#free >= bytes) {
      this.#free -= bytes;
      return Promise.resolve();
    }
    return new Promise((go) => this.#waiting.push({ bytes, go }));
  }

  #wake(): void {
    for (let next = this.#waiting[0]; next && this.#free >= next.bytes; next = this.#waiting[0]) {
      this.#waiting.shift();
      this.#free -= next.bytes;
      next.go();
    }
  }
}
