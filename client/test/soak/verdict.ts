/**
 * The simulation's checks on a SoakWorld after quiet, with findings sorted into issue 13's
 * classes: a content a person wrote that is current nowhere is "lost" when no revision keeps it,
 * an "unrequested delete" when only the trash does, "stale" when it survives only as an old
 * revision; any difference between a device and the server is a divergence; agent errors other
 * than the network's (agent-errors.ts) count too.
 */
import { check } from '../sim/checks.js';
import type { SoakWorld } from './soak-world.js';

export interface Findings {
  lost: number;
  unrequestedDeletes: number;
  divergences: number;
  agentErrors: number;
  stale: number;
  cameBack: number;
  expectedRetries: number;
  /** Every finding, one line each (empty: all promises held). */
  problems: string[];
}

export async function judge(w: SoakWorld, settled: boolean): Promise<Findings> {
  const f: Findings = { lost: 0, unrequestedDeletes: 0, divergences: 0, agentErrors: 0, stale: 0, cameBack: 0, expectedRetries: 0, problems: [] };
  const { observed, tags, errors } = await w.observe(settled);
  for (const p of check(observed).problems) {
    const lost = /^lost: (\S+)/.exec(p);
    if (lost) {
      const where = tags.get(lost[1]!);
      if (where === 'trash') f.unrequestedDeletes++, f.problems.push(`unrequested delete (only in the trash): ${p.slice(6)}`);
      else if (where) f.stale++, f.problems.push(`stale (only an old revision keeps it): ${p.slice(6)}`);
      else f.lost++, f.problems.push(p);
    } else if (/^dev\d+ (lacks|has) /.test(p)) f.divergences++, f.problems.push(p);
    else if (/^came back/.test(p)) f.cameBack++, f.problems.push(p);
    else if (!/^dev\d+ error: /.test(p)) f.problems.push(p); // errors: counted below, from the agents' output
  }
  for (const [i, e] of errors.entries()) {
    f.expectedRetries += e.expected;
    f.agentErrors += e.unexpected.length;
    for (const u of e.unexpected) f.problems.push(`dev${i} error: ${u}`);
  }
  return f;
}
