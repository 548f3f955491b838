/**
 * One soak run: the schedule played against a SoakWorld, then quiet until everyone agrees, then
 * the simulation's checks on what the folders and the server hold (verdict.ts), and a summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePlan, readPlan, writePlanLines, type SoakEvent } from './plan.js';
import { SoakWorld } from './soak-world.js';
import { judge, type Findings } from './verdict.js';

export interface SoakOptions {
  seed: number;
  minutes: number;
  agents: number;
  serverKills: number;
  /** A schedule file to replay instead of the seed's. */
  replay?: string;
  /** Where the schedule, the log and (on failure) the agents' output are written. */
  outDir: string;
  quietMs?: number;
  print?: (line: string) => void;
}

/** The run's counts, and what verdict.ts found. */
export interface SoakFigures extends Omit<Findings, 'problems'> {
  ops: number;
  concurrent: number;
  big: number;
  kills: number;
  offline: number;
  serverKills: number;
  settled: boolean;
  quietAfterS: number;
}

export interface SoakResult {
  ok: boolean;
  figures: SoakFigures;
  summary: string;
  problems: string[];
  log: string[];
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const print = o.print ?? ((l: string) => console.log(l));
  const plan: SoakEvent[] = o.replay ? readPlan(o.replay) : makePlan(o);
  const agents = o.replay ? Math.max(o.agents, ...plan.map((e) => ('d' in e ? e.d + 1 : 1))) : o.agents;
  mkdirSync(o.outDir, { recursive: true });
  const planFile = join(o.outDir, 'schedule.jsonl');
  writeFileSync(planFile, writePlanLines(plan));

  const log: string[] = [];
  const t0 = Date.now();
  const note = (line: string) => log.push(`[${((Date.now() - t0) / 1000).toFixed(3)}] ${line}`);
  const f: SoakFigures = { ops: 0, concurrent: 0, big: 0, kills: 0, offline: 0, serverKills: 0, lost: 0, unrequestedDeletes: 0, divergences: 0, agentErrors: 0, stale: 0, cameBack: 0, expectedRetries: 0, settled: false, quietAfterS: 0 };
  const w = await SoakWorld.start({ agents, note });
  try {
    w.startAll();
    const start = Date.now();
    let lastReport = start;
    for (const e of plan) {
      const wait = start + e.t - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      switch (e.e) {
        case 'op': {
          const done = w.user(e.d, e.op);
          if (done) {
            f.ops++;
            if (e.burst) f.concurrent++;
            if (e.op.size >= 1_000_000 && done.written.length) f.big++;
          }
          break;
        }
        case 'kill':
          if (w.devices[e.d]!.running) f.kills++;
          await w.kill(e.d);
          break;
        case 'start':
          w.start(e.d);
          break;
        case 'offline':
          if (w.devices[e.d]!.gate.isOpen) f.offline++;
          w.setOnline(e.d, false);
          break;
        case 'online':
          w.setOnline(e.d, true);
          break;
        case 'server-kill':
          if (w.serverUp) f.serverKills++;
          await w.killServer();
          break;
        case 'server-start':
          await w.restartServer();
          break;
      }
      if (Date.now() - lastReport > 60_000) {
        lastReport = Date.now();
        print(`  ${Math.round((Date.now() - start) / 1000)} s: ${f.ops} ops, ${f.kills} kills, ${f.offline} offline periods, ${f.serverKills} server kills`);
      }
    }
    note('quiet: everyone online and running, no more operations');
    const quietStart = Date.now();
    f.settled = await w.settle(o.quietMs);
    f.quietAfterS = Math.round((Date.now() - quietStart) / 1000);
    note(f.settled ? 'settled' : 'never settled');
    const { problems, ...counts } = await judge(w, f.settled);
    Object.assign(f, counts);
    const ok = f.settled && problems.length === 0;
    const summary =
      (o.replay ? `soak replay=${o.replay} agents=${agents}: ` : `soak seed=${o.seed} agents=${agents} minutes=${o.minutes}: `) +
      `${f.ops} ops (${f.concurrent} concurrent edits, ${f.big} multi-MB), ${f.kills} kills, ${f.offline} offline periods, ${f.serverKills} server kills — ` +
      `lost ${f.lost}, unrequested deletes ${f.unrequestedDeletes}, divergences ${f.divergences}, agent errors ${f.agentErrors} ` +
      `(stale revisions ${f.stale}, came back ${f.cameBack}, expected retries ${f.expectedRetries}; ${f.settled ? `quiet after ${f.quietAfterS} s` : 'NEVER SETTLED'})`;
    writeFileSync(join(o.outDir, 'log.txt'), log.join('\n') + '\n');
    for (const d of w.devices) writeFileSync(join(o.outDir, `agent-${d.name}.txt`), d.agent.output);
    return { ok, figures: f, summary, problems, log };
  } finally {
    await w.cleanup();
  }
}
