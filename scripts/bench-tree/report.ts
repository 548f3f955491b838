/**
 * bench:tree's figures: each tool's stages per run, their medians, and one table per Coffer back
 * end beside borg and restic, with the issue's targets (Coffer's ingest and restore wall time ≤
 * borg's, stored bytes before erasure coding ≤ borg's, server peak RSS ≤ 256 MiB) marked met or
 * MISSED.
 */
import type { Snapshot } from './corpus.js';

export const SNAPSHOT_STAGES = ['snapshot 1', 'snapshot 2', 'snapshot 3', 'snapshot 4', 'snapshot 5'];
export const AGAIN = 'unchanged tree again';
export const RESTORE = 'restore last snapshot';
export const ALL = 'all snapshots in one go';
/** Stage names in the order they run (snapshot stages first, as many as there are snapshots). */
export const STAGES = [...SNAPSHOT_STAGES, AGAIN, RESTORE, ALL];

/**
 * `--stages restore`: the snapshots (which the restore needs) and the restore, not the unchanged tree
 * again nor all in one go. `--stages ingest`: the snapshots and the unchanged tree only.
 */
export interface StageChoice {
  restoreOnly?: boolean;
  ingestOnly?: boolean;
}

export interface StageFigure {
  wall: number;
  /** Coffer: the blocks' frames after dedup and compression (before erasure coding); borg, restic: the repository on disk. */
  storedBytes: number;
  /** Coffer only: what the nodes hold after erasure coding or replication. */
  nodeBytes?: number;
}

export interface RunResult {
  stages: Map<string, StageFigure>;
  /** Coffer: the server process's peak RSS (the highest of its processes in the run); borg, restic: the highest of their commands. */
  peakRss: number;
  /** The restored folder against the last snapshot, by SHA-256: 'ok' or what differs. */
  restoreCheck?: string;
}

export const RSS_TARGET = 256 * 2 ** 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const secs = (n: number) => `${n.toFixed(1)} s`;

/** Medians over runs, per stage. */
export function medians(runs: RunResult[]): { stages: Map<string, StageFigure & { walls: number[] }>; peakRss: number } {
  const stages = new Map<string, StageFigure & { walls: number[] }>();
  for (const stage of STAGES) {
    const xs = runs.map((r) => r.stages.get(stage)).filter((x) => x !== undefined);
    if (xs.length === 0) continue;
    const nodes = xs.map((x) => x.nodeBytes).filter((x) => x !== undefined);
    stages.set(stage, {
      wall: median(xs.map((x) => x.wall)),
      walls: xs.map((x) => x.wall),
      storedBytes: median(xs.map((x) => x.storedBytes)),
      ...(nodes.length ? { nodeBytes: median(nodes) } : {}),
    });
  }
  return { stages, peakRss: Math.max(...runs.map((r) => r.peakRss)) };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')).join('\n');
}

/** undefined: not judged (no borg run to compare with: `--yardsticks none`). */
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not judged (no borg run)' : ok ? 'met' : 'MISSED');
const dash = '—';

export interface Verdicts {
  ingest: boolean | undefined;
  restore: boolean | undefined;
  stored: boolean | undefined;
  rss: boolean;
}

/** The table of one Coffer back end beside borg and restic; answers the targets' verdicts. */
export function printBackend(title: string, snapshots: Snapshot[], coffer: RunResult[], borg: RunResult[], restic: RunResult[]): Verdicts {
  const c = medians(coffer);
  const b = medians(borg);
  const r = medians(restic);
  const filesOf = (stage: string) => {
    const k = SNAPSHOT_STAGES.indexOf(stage);
    if (k >= 0) return snapshots[k];
    if (stage === AGAIN || stage === RESTORE) return snapshots.at(-1);
    return { files: snapshots.reduce((n, s) => n + s.files, 0), bytes: snapshots.reduce((n, s) => n + s.bytes, 0) };
  };
  const rows = [['stage', 'files', 'MiB', 'Coffer', 'borg', 'restic', 'Coffer/borg', '≤ borg', 'Coffer stored¹', '(on nodes²)', 'borg repo', 'restic repo', 'stored/borg']];
  const judged = b.stages.size > 0;
  const v: Verdicts = { ingest: judged || undefined, restore: judged || undefined, stored: judged || undefined, rss: c.peakRss <= RSS_TARGET };
  for (const stage of STAGES) {
    const cs = c.stages.get(stage);
    const bs = b.stages.get(stage);
    const rs = r.stages.get(stage);
    if (!cs || (judged && !bs)) continue;
    const f = filesOf(stage)!;
    const ratio = bs ? cs.wall / bs.wall : undefined;
    const storedRatio = bs ? cs.storedBytes / bs.storedBytes : undefined;
    if (ratio !== undefined && storedRatio !== undefined) {
      if (stage === RESTORE) v.restore &&= ratio <= 1;
      else v.ingest &&= ratio <= 1;
      // Stored bytes are judged where the corpus is complete: after the last snapshot and after all in one go.
      if (stage === SNAPSHOT_STAGES[snapshots.length - 1] || stage === ALL) v.stored &&= storedRatio <= 1;
    }
    rows.push([
      stage,
      String(f.files),
      (f.bytes / 2 ** 20).toFixed(0),
      secs(cs.wall),
      bs ? secs(bs.wall) : dash,
      rs ? secs(rs.wall) : dash,
      ratio !== undefined ? `${ratio.toFixed(1)}×` : dash,
      ratio !== undefined ? verdict(ratio <= 1) : dash,
      mb(cs.storedBytes),
      cs.nodeBytes !== undefined ? mb(cs.nodeBytes) : dash,
      bs ? mb(bs.storedBytes) : dash,
      rs ? mb(rs.storedBytes) : dash,
      storedRatio !== undefined ? storedRatio.toFixed(3) : dash,
    ]);
  }
  console.log(`\n${title}`);
  console.log(table(rows));
  const checks = (rs: RunResult[]) => [...new Set(rs.map((x) => x.restoreCheck ?? dash))].join(', ') || dash;
  console.log(`  restore checked by SHA-256: Coffer ${checks(coffer)}; borg ${checks(borg)}; restic ${checks(restic)}`);
  const theirs = (x: typeof b) => (x.stages.size > 0 ? mib(x.peakRss) : dash);
  console.log(`  peak RSS: Coffer's server ${mib(c.peakRss)} (target ≤ ${mib(RSS_TARGET)}: ${verdict(v.rss)}); borg ${theirs(b)}; restic ${theirs(r)}`);
  const runs = [...c.stages].filter(([, x]) => x.walls.length > 1);
  if (runs.length) console.log(`  Coffer's runs: ${runs.map(([s, x]) => `${s} ${x.walls.map((w) => w.toFixed(1)).join('/')}`).join('; ')} s`);
  console.log(
    `  targets: ingest ≤ borg ${verdict(v.ingest)}; restore ≤ borg ${verdict(v.restore)}; stored before erasure coding ≤ borg ${verdict(v.stored)}; server RSS ≤ 256 MiB ${verdict(v.rss)}`,
  );
  return v;
}

export const FOOTNOTES =
  '  ¹ Coffer: the blocks’ frames after dedup, compression and encryption framing, before erasure coding (admin overview, compressedBytes); borg and restic: du -sb of the repository.\n' +
  '  ² what the nodes hold after erasure coding or replication (admin overview, storedBytes).';
