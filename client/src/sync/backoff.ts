/** Exponential backoff for network loss and server restarts: 0.5 s doubling, capped at 30 s, with jitter. */
import type { Clock } from './clock.js';

export class Backoff {
  private failures = 0;
  constructor(
    private readonly clock: Clock,
    private readonly baseMs = 500,
    private readonly capMs = 30_000,
  ) {}
  reset(): void {
    this.failures = 0;
  }
  /** The wait before the next attempt after one more failure. */
  next(): number {
    const ms = Math.min(this.capMs, this.baseMs * 2 ** this.failures++);
    return Math.round(ms * (0.8 + this.clock.random() * 0.4));
  }
}
