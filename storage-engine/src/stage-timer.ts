/** Nanoseconds spent per named stage, summed; the benchmark prints each stage's share. Listeners
 *  (the server's metrics: `EngineEvents.stage`) hear each measurement as it is added. */
export class StageTimer {
  private readonly totals = new Map<string, number>();
  private readonly listeners: ((stage: string, ns: number) => void)[] = [];

  add(stage: string, ns: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ns);
    for (const l of this.listeners) l(stage, ns);
  }

  listen(listener: (stage: string, ns: number) => void): void {
    this.listeners.push(listener);
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
