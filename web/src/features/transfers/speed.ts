/** Transfer speed over a moving window (the last few seconds, not since the start), and the time left at that speed. */
export class SpeedMeter {
  readonly #samples: { t: number; bytes: number }[] = [];

  constructor(
    readonly windowMs = 5000,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** Record the running total of bytes done. */
  add(total: number): void {
    const t = this.now();
    this.#samples.push({ t, bytes: total });
    while (this.#samples.length > 2 && this.#samples[1]!.t < t - this.windowMs) this.#samples.shift();
  }

  /** Bytes per second over the window (0 until two samples are at least 200 ms apart). */
  get bytesPerSecond(): number {
    const s = this.#samples;
    if (s.length < 2) return 0;
    const first = s[0]!;
    const last = s[s.length - 1]!;
    const dt = Math.max(last.t, this.now()) - first.t;
    return dt < 200 ? 0 : ((last.bytes - first.bytes) * 1000) / dt;
  }

  /** Seconds left for `remaining` bytes at the current speed; undefined while unknown. */
  secondsLeft(remaining: number): number | undefined {
    const v = this.bytesPerSecond;
    return v > 0 ? remaining / v : undefined;
  }

  reset(): void {
    this.#samples.length = 0;
  }
}
