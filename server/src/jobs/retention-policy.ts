/**
 * Which versions of a file retention keeps: every version of the last 24 hours, one per hour for
 * 7 days, one per day for 30 days, one per week after that (the newest of each hour, day or
 * week), and never more than `max` in all — the newest first. The current version always stays.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

export interface VersionAge {
  id: string;
  rev: number;
  createdAt: Date;
}

export function versionsToKeep(versions: readonly VersionAge[], now: number, max: number): Set<string> {
  const newestFirst = [...versions].sort((a, b) => b.rev - a.rev);
  const kept: string[] = [];
  const buckets = new Set<string>();
  newestFirst.forEach((v, i) => {
    const t = v.createdAt.getTime();
    const age = now - t;
    if (i === 0 || age < DAY) return void kept.push(v.id);
    const bucket = age < 7 * DAY ? `h${Math.floor(t / HOUR)}` : age < 30 * DAY ? `d${Math.floor(t / DAY)}` : `w${Math.floor(t / WEEK)}`;
    if (buckets.has(bucket)) return;
    buckets.add(bucket);
    kept.push(v.id);
  });
  return new Set(kept.slice(0, Math.max(1, max)));
}
