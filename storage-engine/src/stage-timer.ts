/** Nanoseconds spent per named stage, summed; the benchmark prints each stage's share. */
export class StageTimer {
  private readonly totals = new Map<string, number>();

  add(stage: string, ns: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ns);
  }

  async time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
    const t0 = process.hrtime.bigint();
    try {
      return await fn();
    } finally {
      this.add(stage, Number(process.hrtime.bigint() - t0));
    }
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }

  reset(): void {
    this.totals.clear();
  }
}
