import type { BlockMetadataPort } from '../metadata/metadata-port.js';

export interface AccessTrackerOptions {
  /** Write pending touches at most this often (ms); tiering works in days, so minutes are fine. */
  flushMs?: number;
  /** Flush sooner once this many distinct blocks were read. */
  maxPending?: number;
  now?: () => number;
}

/**
 * Remembers which blocks were read, for tiering ("not read for N days"), without a metadata
 * write per read: keys collect in a set and go out in one batched touch per interval.
 * Best effort: a lost batch only makes a block look a little older than it is.
 */
export class AccessTracker {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly flushMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(
    private readonly metadata: BlockMetadataPort,
    opts: AccessTrackerOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 60_000;
    this.maxPending = opts.maxPending ?? 1_000;
    this.now = opts.now ?? Date.now;
  }

  touch(key: string): void {
    this.pending.add(key);
    if (this.pending.size >= this.maxPending) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref?.(); // never keeps a process alive
    }
  }

  /** Write what is pending now (also called on close). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight; // one batch at a time, in order
    if (this.pending.size === 0) return;
    const keys = [...this.pending];
    this.pending = new Set();
    this.inFlight = this.metadata.touchBlocks(keys, new Date(this.now())).catch(() => undefined);
    await this.inFlight;
  }
}
