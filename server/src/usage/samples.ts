/** The usage samples: recording one, trimming old ones, and the series a chart draws from them. */
import { asc, gte, lt, sql } from 'drizzle-orm';
import type { UsagePoint, UsageRange } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { usageSamples } from '../db/schema.js';
import type { Stages } from './stages.js';

const HOUR = 3_600_000;
export const RANGE_MS: Readonly<Record<UsageRange, number>> = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR, '365d': 365 * 24 * HOUR };
/** A chart needs no more points than this; a longer range keeps one per bucket. */
const MAX_POINTS = 300;

export async function recordSample(db: Db, at: Date, s: Stages, traffic: { bytesIn: number; bytesOut: number }): Promise<void> {
  await db
    .insert(usageSamples)
    .values({ at, logicalBytes: s.logicalBytes, dedupBytes: s.dedupBytes, compressedBytes: s.compressedBytes, storedBytes: s.storedBytes, bytesInTotal: traffic.bytesIn, bytesOutTotal: traffic.bytesOut })
    .onConflictDoNothing();
}

export async function trimUsageSamples(db: Db, days: number): Promise<number> {
  const gone = await db
    .delete(usageSamples)
    .where(lt(usageSamples.at, sql`now() - (${Math.floor(days)}::integer * interval '1 day')`))
    .returning({ at: usageSamples.at });
  return gone.length;
}

/**
 * The points of a range, oldest first: each with the sizes of its bucket's last sample and the
 * traffic since the previous point (the difference of the cumulative totals; a drop, after the
 * totals were reset, counts from zero).
 */
export async function usageSeries(db: Db, range: UsageRange, now = Date.now()): Promise<UsagePoint[]> {
  const from = new Date(now - RANGE_MS[range]);
  // One sample before the range, so the first point's traffic has a base.
  const [base] = await db.select().from(usageSamples).where(lt(usageSamples.at, from)).orderBy(sql`${usageSamples.at} desc`).limit(1);
  const rows = await db.select().from(usageSamples).where(gte(usageSamples.at, from)).orderBy(asc(usageSamples.at));
  const bucketMs = Math.max(1, Math.ceil(RANGE_MS[range] / MAX_POINTS));
  const kept: typeof rows = [];
  for (const r of rows) {
    const last = kept[kept.length - 1];
    if (last && Math.floor(last.at.getTime() / bucketMs) === Math.floor(r.at.getTime() / bucketMs)) kept[kept.length - 1] = r;
    else kept.push(r);
  }
  let prev = base;
  return kept.map((r) => {
    const delta = (total: number, before: number | undefined) => (before === undefined ? 0 : total >= before ? total - before : total);
    const p: UsagePoint = {
      at: r.at.toISOString(),
      logicalBytes: r.logicalBytes,
      dedupBytes: r.dedupBytes,
      compressedBytes: r.compressedBytes,
      storedBytes: r.storedBytes,
      bytesIn: delta(r.bytesInTotal, prev?.bytesInTotal),
      bytesOut: delta(r.bytesOutTotal, prev?.bytesOutTotal),
    };
    prev = r;
    return p;
  });
}
