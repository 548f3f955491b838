/**
 * Traffic: request and answer bytes of this instance, counted in memory from what the access log
 * measured on the socket (observability/access-log.ts `onBytes`: streamed answers included) and
 * added to the shared totals (traffic_totals) at most every few seconds, and by the usage sampler
 * before it reads them. So every instance's traffic reaches the series.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { trafficTotals } from '../db/schema.js';

const FLUSH_MS = 10_000;

export class TrafficCounter {
  private bytesIn = 0;
  private bytesOut = 0;
  private flushedAt = Date.now();
  private flushing: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  add(bytesIn: number, bytesOut: number): void {
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
    if (Date.now() - this.flushedAt >= FLUSH_MS) void this.flush().catch(() => undefined);
  }

  /** Adds what was counted since the last flush to the shared totals; kept for the next try if that fails. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const bytesIn = this.bytesIn;
    const bytesOut = this.bytesOut;
    this.flushedAt = Date.now();
    if (bytesIn === 0 && bytesOut === 0) return;
    this.bytesIn -= bytesIn;
    this.bytesOut -= bytesOut;
    try {
      await this.db
        .insert(trafficTotals)
        .values({ id: 1, bytesIn, bytesOut })
        .onConflictDoUpdate({ target: trafficTotals.id, set: { bytesIn: sql`${trafficTotals.bytesIn} + ${bytesIn}`, bytesOut: sql`${trafficTotals.bytesOut} + ${bytesOut}` } });
    } catch (err) {
      this.bytesIn += bytesIn;
      this.bytesOut += bytesOut;
      throw err;
    }
  }
}

/** The shared totals now. */
export async function trafficNow(db: Db): Promise<{ bytesIn: number; bytesOut: number }> {
  const [row] = await db.select({ bytesIn: trafficTotals.bytesIn, bytesOut: trafficTotals.bytesOut }).from(trafficTotals);
  return row ?? { bytesIn: 0, bytesOut: 0 };
}
