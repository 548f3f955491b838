/**
 * node scripts/profile-timeline.mjs PROFILE.cpuprofile [--every MS] [--from MS] [--to MS]
 *
 * A CPU profile (`--cpu-prof`, bench:tree --profile, bench:api --profile) as a timeline: for each
 * interval of the thread's life, the share of its samples that were idle, in PGlite's wasm, in the
 * garbage collector, sealing, compressing, or other JavaScript. A profile's totals say what a
 * thread spent its time on; this says when — whether a thread was the bound of a stage (never
 * idle while it ran) or waited on something else. (bench:tree's all-in-one-go, embedded, 1 s steps:
 * the server's main thread 1–13 % idle through the small files, 50–65 % of it in PGlite.) Times are
 * from the profile's start (the process's or thread's). A diagnostic, never loaded by the product.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { every: { type: 'string', default: '250' }, from: { type: 'string', default: '0' }, to: { type: 'string', default: 'Infinity' } } });
if (positionals.length !== 1) {
  console.error('usage: node scripts/profile-timeline.mjs PROFILE.cpuprofile [--every MS] [--from MS] [--to MS]');
  process.exit(2);
}
const every = Number(values.every);
const [from, to] = [Number(values.from), Number(values.to)];
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const KINDS = ['idle', 'pglite', 'gc', 'seal', 'compress', 'other'];
/** The kind of a sample: the first of its frames, leaf upwards, that names one. */
const kindOf = new Map();
function kind(id) {
  let k = kindOf.get(id);
  if (k) return k;
  k = 'other';
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const { functionName: fn, url } = nodes.get(at).callFrame;
    if (fn === '(idle)') k = 'idle';
    else if (fn === '(garbage collector)') k = 'gc';
    else if (fn === 'execProtocolRawSync' || url.includes('wasm/')) k = 'pglite';
    else if (/^seal/.test(fn)) k = 'seal';
    else if (/compress/i.test(fn)) k = 'compress';
    else continue;
    break;
  }
  kindOf.set(id, k);
  return k;
}

const buckets = new Map();
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  const b = Math.floor(t / 1000 / every);
  const row = buckets.get(b) ?? Object.fromEntries(KINDS.map((k) => [k, 0]));
  row[kind(profile.samples[i])] += profile.timeDeltas[i] ?? 0;
  buckets.set(b, row);
}
console.log(`${'ms'.padStart(7)} ${KINDS.map((k) => k.padStart(8)).join(' ')}   (% of each ${every} ms)`);
for (const [b, row] of [...buckets].sort((x, y) => x[0] - y[0])) {
  const ms = b * every;
  if (ms < from || ms > to) continue;
  const sum = KINDS.reduce((s, k) => s + row[k], 0) || 1;
  console.log(`${String(ms).padStart(7)} ${KINDS.map((k) => String(Math.round((100 * row[k]) / sum)).padStart(8)).join(' ')}`);
}
