/**
 * How far a job got, from its `progress` (per kind, see JobView in @coffer/protocol), and the
 * time left, estimated from how fast it moved between the polls this page saw.
 */
import type { JobView } from '@coffer/protocol';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Done and total units of work, when the job's kind says. */
export function workOf(job: JobView): { done: number; total: number } | undefined {
  const p = job.progress;
  switch (job.kind) {
    case 'drain': {
      const total = num(p.total);
      const done = num(p.done);
      if (total !== undefined && done !== undefined) return { done, total };
      return undefined;
    }
    case 'scrub': {
      const total = num(p.total);
      return total !== undefined ? { done: num(p.scanned) ?? 0, total } : undefined;
    }
    case 'repair': {
      const repaired = num(p.repaired) ?? 0;
      const pending = num(p.pending) ?? 0;
      return repaired + pending > 0 ? { done: repaired, total: repaired + pending } : undefined;
    }
    default:
      return undefined;
  }
}

export function fractionOf(job: JobView): number | undefined {
  if (job.state === 'done') return 1;
  const w = workOf(job);
  if (!w) return undefined;
  return w.total > 0 ? Math.min(1, w.done / w.total) : job.state === 'running' ? 0 : 1;
}

/** The first sample of each running job this page saw: (time, done). */
const firstSeen = new Map<string, { at: number; done: number }>();

/** Milliseconds left at the rate seen so far, or undefined before it moved. */
export function timeLeftOf(job: JobView, now = Date.now()): number | undefined {
  const w = workOf(job);
  if (!w || job.state !== 'running') return undefined;
  const first = firstSeen.get(job.id);
  if (!first) {
    firstSeen.set(job.id, { at: now, done: w.done });
    return undefined;
  }
  const rate = (w.done - first.done) / (now - first.at);
  if (!(rate > 0)) return undefined;
  return (w.total - w.done) / rate;
}
