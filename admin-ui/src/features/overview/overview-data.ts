/**
 * What the Overview shows, gathered from the admin API: nodes, degraded blocks, jobs (repair,
 * scrub, failures) and accounts. The answer to "is my data safe" is worked out the same way the
 * server's overview says it (`safe`, `repairing`, `degraded`, `at_risk`).
 */
import { operations as ops, type JobView, type NodeView } from '@coffer/protocol';
import { call } from '../../api/client';

export type Safety = 'safe' | 'repairing' | 'degraded' | 'at_risk';

export interface ScrubRun {
  state: JobView['state'];
  finishedAt: string | null;
  scanned: number;
  total: number | null;
  damaged: number;
  repaired: number;
}

export interface OverviewData {
  safety: Safety;
  nodes: { up: number; down: number; draining: number; total: number };
  blocks: { total: number | null; degraded: number; repairing: number };
  /** A repair that is queued or running, with how far it got (0..1). */
  repair: { fraction: number; repaired: number } | null;
  lastScrub: ScrubRun | null;
  failedJobs: number;
  users: number;
  storage: { logicalBytes: number };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const WEEK_MS = 7 * 86_400_000;

export function scrubRun(job: JobView): ScrubRun {
  const p = job.progress;
  return { state: job.state, finishedAt: job.finishedAt, scanned: num(p.scanned), total: typeof p.total === 'number' ? p.total : null, damaged: num(p.damaged), repaired: num(p.repaired) };
}

export function safetyOf(nodes: NodeView[], degraded: number, repairActive: boolean): Safety {
  const live = nodes.filter((n) => n.state !== 'retired' && n.tier === 'hot');
  const up = live.filter((n) => n.state !== 'down').length;
  // Fewer than half the hot nodes answering: a write cannot find its quorum.
  if (live.length > 0 && up * 2 < live.length) return 'at_risk';
  if (up < live.length) return 'degraded';
  if (degraded > 0) return repairActive ? 'repairing' : 'degraded';
  return 'safe';
}

export async function loadOverview(): Promise<OverviewData> {
  const [nodeList, degraded, jobList, userList] = await Promise.all([
    call(ops.adminListNodes),
    call(ops.adminListDegradedBlocks, { query: { limit: 1 } }),
    call(ops.adminListJobs, { query: { limit: 200 } }),
    call(ops.adminListUsers),
  ]);
  const nodes = nodeList.nodes.filter((n) => n.state !== 'retired');
  const jobs = jobList.jobs;
  const repairJob = jobs.find((j) => j.kind === 'repair' && (j.state === 'running' || j.state === 'queued'));
  const repaired = repairJob ? num(repairJob.progress.repaired) : 0;
  const scrub = jobs.find((j) => j.kind === 'scrub' && j.state !== 'queued');
  const since = Date.now() - WEEK_MS;
  return {
    safety: safetyOf(nodes, degraded.total, repairJob !== undefined),
    nodes: {
      up: nodes.filter((n) => n.state === 'up' || n.state === 'draining').length,
      down: nodes.filter((n) => n.state === 'down').length,
      draining: nodes.filter((n) => n.state === 'draining').length,
      total: nodes.length,
    },
    blocks: { total: null, degraded: degraded.total, repairing: repairJob ? degraded.total : 0 },
    repair: repairJob ? { repaired, fraction: repaired + degraded.total > 0 ? repaired / (repaired + degraded.total) : 0 } : null,
    lastScrub: scrub ? scrubRun(scrub) : null,
    failedJobs: jobs.filter((j) => j.state === 'failed' && new Date(j.updatedAt).getTime() >= since).length,
    users: userList.users.length,
    storage: { logicalBytes: userList.users.reduce((s, u) => s + u.usedBytes, 0) },
  };
}
