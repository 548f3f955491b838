/**
 * `npm run soak:sync`: the sync agent's promises checked against real processes (issue 13) — a
 * server on PostgreSQL and N `coffer sync` agents on real folders, seeded random operations, kills
 * and offline periods for a bounded time, then quiet and the simulation's checks. Exit 1 when any
 * content is lost, deleted unasked, left stale, or any device disagrees; the log and the schedule
 * (replay it with --replay FILE) are kept in --out. See client/README.md.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSoak } from '@coffer/client/testing/soak/run';
import { scriptOptions } from './options.js';

const o = scriptOptions(
  { seed: 101, minutes: 10, agents: 3, 'server-kills': 0, replay: undefined, out: undefined, 'quiet-seconds': 20 },
  'npm run soak:sync -- [--seed N] [--minutes M] [--agents N] [--server-kills N] [--replay schedule.jsonl] [--out DIR] [--quiet-seconds S]',
);
const outDir = o.out ?? join(tmpdir(), `coffer-soak-${o.seed}-${Date.now().toString(36)}`);
console.log(`soak: ${o.replay ? `replaying ${o.replay}` : `seed ${o.seed}, ${o.agents} agents, ${o.minutes} min, ${o['server-kills']} server kills`}; log and schedule in ${outDir}`);
const r = await runSoak({ seed: o.seed, minutes: o.minutes, agents: o.agents, serverKills: o['server-kills'], replay: o.replay, outDir, quietMs: o['quiet-seconds'] * 1000 });
if (!r.ok) {
  console.log('\nproblems:');
  for (const p of r.problems) console.log(`  ${p}`);
  console.log('\noperation log:');
  for (const l of r.log) console.log(`  ${l}`);
  console.log(`\nreplay: npm run soak:sync -- --replay ${join(outDir, 'schedule.jsonl')}   (agents' output in ${outDir})`);
}
console.log(r.summary);
process.exit(r.ok ? 0 : 1);
