/**
 * A soak's schedule: every event (a person's operation on a device, an agent killed or started,
 * a device offline or online, the server killed or restarted) at a time in ms from the start.
 * Made from a seed alone — the same seed gives the same schedule — and written out as JSON lines,
 * which `--replay FILE` runs again (real processes' timing still varies between runs).
 */
import { readFileSync } from 'node:fs';
import type { UserOp, UserOpKind } from '../sim/user-ops.js';

export type SoakEvent =
  | { t: number; e: 'op'; d: number; op: UserOp; burst?: true }
  | { t: number; e: 'kill' | 'start' | 'offline' | 'online'; d: number }
  | { t: number; e: 'server-kill' | 'server-start' };

export interface PlanOptions {
  seed: number;
  minutes: number;
  agents: number;
  serverKills: number;
}

/** mulberry32: small, seeded, good enough to pick events. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS: [UserOpKind, number][] = [
  ['create', 18],
  ['write', 16],
  ['save-via-temp', 14],
  ['rename', 8],
  ['move', 8],
  ['case', 5],
  ['mkdir', 9],
  ['delete', 9],
  ['rmdir', 3],
];

export function makePlan(o: PlanOptions): SoakEvent[] {
  const r = rng(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const weighted = (): UserOpKind => {
    let x = r() * KINDS.reduce((s, [, w]) => s + w, 0);
    for (const [k, w] of KINDS) if ((x -= w) < 0) return k;
    return 'create';
  };
  /** Mostly small, now and then a multi-MB file. */
  const size = () => (r() < 0.03 ? int(1_000_000, 4_000_000) : int(8, 3000));
  const end = o.minutes * 60_000;
  const events: SoakEvent[] = [];
  const downUntil = new Array<number>(o.agents).fill(0);
  const offUntil = new Array<number>(o.agents).fill(0);
  for (let t = 1500; t < end; t += int(150, 1500)) {
    const x = r();
    const d = int(0, o.agents - 1);
    if (x < 0.05) {
      if (downUntil[d]! > t) continue;
      // Often right after an operation on that device: killed mid-pass.
      const back = t + int(300, 8000);
      events.push({ t, e: 'kill', d }, { t: back, e: 'start', d });
      downUntil[d] = back;
    } else if (x < 0.09) {
      if (offUntil[d]! > t) continue;
      const back = t + int(2000, 30_000);
      events.push({ t, e: 'offline', d }, { t: back, e: 'online', d });
      offUntil[d] = back;
    } else if (x < 0.15 && o.agents > 1) {
      // One file edited on 2–3 devices at about the same time.
      const a = int(0, 1000);
      const n = Math.min(o.agents, int(2, 3));
      const first = int(0, o.agents - 1);
      for (let i = 0; i < n; i++) events.push({ t: t + int(0, 200), e: 'op', d: (first + i) % o.agents, op: { kind: r() < 0.5 ? 'write' : 'save-via-temp', a, b: 0, size: size() }, burst: true });
    } else {
      events.push({ t, e: 'op', d, op: { kind: weighted(), a: int(0, 1000), b: int(0, 1000), size: size() } });
    }
  }
  for (let i = 1; i <= o.serverKills; i++) {
    const t = Math.round((end * i) / (o.serverKills + 1));
    events.push({ t, e: 'server-kill' }, { t: t + int(1000, 5000), e: 'server-start' });
  }
  return events.sort((p, q) => p.t - q.t);
}

export function writePlanLines(events: SoakEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

export function readPlan(file: string): SoakEvent[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => JSON.parse(l) as SoakEvent)
    .sort((p, q) => p.t - q.t);
}
