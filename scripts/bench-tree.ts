/**
 * npm run bench:tree [-- --runs 1 --backends embedded,pg --snapshots 5 --cache DIR --dir DIR --stages all|ingest|restore --yardsticks borg,restic --profile DIR --cli bundle|source --node-args=--flag,…]
 *
 * A real folder tree of many small files, Coffer against borg and restic (issue 20). The corpus
 * (bench-tree/corpus.ts) is five snapshots of published files, each input pinned by version and
 * SHA-256: the typescript and rxjs npm tarballs unpacked, and three Debian packages as .deb files,
 * versions moving on between snapshots so that deduplication matters. In each run, for borg and
 * restic (bench-tree/borg-restic.ts) and for Coffer on each back end (bench-tree/coffer-stages.ts:
 * `coffer sync DIR --once` against the server process over HTTPS, on the embedded default and on
 * PostgreSQL with six S3 node processes): each snapshot in turn into the same folder, the
 * unchanged tree again, the restore of the last snapshot into an empty folder (checked by
 * SHA-256 against the snapshot), and all snapshots side by side in one go into a fresh
 * repository / server. Prints per back end a table (bench-tree/report.ts) of wall times, stored
 * bytes and peak RSS, medians of the runs, with the ratios to borg and the targets met or
 * MISSED (not judged without a borg run), and one JSON line (`bench:tree {…}`). Each stage's log line
 * has the server's peak RSS during that stage: where the run's peak came.
 *
 * Quick look: `--snapshots 2 --backends embedded`. `--stages ingest`: the snapshots and the unchanged
 * tree only (no restore, no all-in-one-go); `--stages restore`: the snapshots (timed: the restore needs
 * them) and the restore only; `--yardsticks borg`: leave restic out (or `none`);
 * `--profile DIR`: CPU profiles of Coffer's server (one per server) and of each `coffer sync` in DIR.
 * `--cli source`: the agent from the TypeScript through tsx, as before the installed bundle was used.
 * `--node-args=--flag,…`: extra Node flags for Coffer's server process (memory experiments, as bench:rss).
 */
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '@coffer/client/testing/cli-harness';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { scriptOptions } from './options.js';
import { buildCorpus } from './bench-tree/corpus.js';
import { runYardstick, type Yardstick } from './bench-tree/borg-restic.js';
import { BACKEND_TITLES, runCoffer, type CofferBackend } from './bench-tree/coffer-stages.js';
import { FOOTNOTES, medians, printBackend, type RunResult, type Verdicts } from './bench-tree/report.js';

const USAGE = 'npm run bench:tree [-- --runs 1 --backends embedded,pg --snapshots 5 --cache DIR --dir DIR --stages all|ingest|restore --yardsticks borg,restic --profile DIR --cli bundle|source --node-args=--flag,…]';
const opt = scriptOptions(
  { runs: 1, backends: 'embedded,pg', snapshots: 5, cache: join(ROOT, '.tmp', 'bench-tree'), dir: tmpdir(), stages: 'all', yardsticks: 'borg,restic', profile: undefined, cli: 'bundle', 'node-args': '' },
  USAGE,
);
const backends = opt.backends.split(',').map((b) => b.trim()) as CofferBackend[];
for (const b of backends) if (!(b in BACKEND_TITLES)) throw new Error(`--backends: ${b} is neither embedded nor pg\nusage: ${USAGE}`);
if (opt.snapshots < 1 || opt.snapshots > 5) throw new Error(`--snapshots takes 1 to 5\nusage: ${USAGE}`);
if (!['all', 'ingest', 'restore'].includes(opt.stages)) throw new Error(`--stages takes all, ingest or restore\nusage: ${USAGE}`);
const stages = { ingestOnly: opt.stages === 'ingest', restoreOnly: opt.stages === 'restore' };
if (opt.cli !== 'bundle' && opt.cli !== 'source') throw new Error(`--cli takes bundle or source\nusage: ${USAGE}`);
const yardsticks = opt.yardsticks === 'none' ? [] : (opt.yardsticks.split(',').map((t) => t.trim()) as Yardstick[]);
for (const t of yardsticks) if (t !== 'borg' && t !== 'restic') throw new Error(`--yardsticks: ${t} is neither borg nor restic\nusage: ${USAGE}`);
const profileDir = opt.profile ? resolve(opt.profile) : undefined;
const nodeArgs = opt['node-args'].split(/[\s,]+/).filter(Boolean);
if (profileDir) await mkdir(profileDir, { recursive: true });

const log = (s: string) => console.log(`  [${new Date().toISOString().slice(11, 19)}] ${s}`);

const snapshots = (await buildCorpus(opt.cache)).slice(0, opt.snapshots);
console.log(`bench:tree — corpus in ${opt.cache}, every input checked by SHA-256; work folders under ${opt.dir}`);
for (const s of snapshots) console.log(`  ${s.name}: ${s.files} files, ${(s.bytes / 2 ** 20).toFixed(1)} MiB — ${s.inputs.join(', ')}`);
const total = snapshots.reduce((a, s) => ({ files: a.files + s.files, bytes: a.bytes + s.bytes }), { files: 0, bytes: 0 });
console.log(`  all ${snapshots.length}: ${total.files} files, ${(total.bytes / 2 ** 20).toFixed(1)} MiB`);

const results = new Map<string, RunResult[]>();
const verdicts: Record<string, Verdicts> = {};
const runners: [string, (temp: string) => Promise<RunResult>][] = [
  ...yardsticks.map((t) => [t, (temp: string) => runYardstick(t, snapshots, temp, log, stages)] as [string, (temp: string) => Promise<RunResult>]),
  ...backends.map((b) => [`coffer ${b}`, (temp: string) => runCoffer(b, snapshots, temp, log, { ...stages, fromSource: opt.cli === 'source', nodeArgs, ...(profileDir ? { profileDir } : {}) })] as [string, (temp: string) => Promise<RunResult>]),
];
// One tool after the other (all its runs), each back end's table printed as soon as it is done.
for (const [name, go] of runners) {
  for (let i = 0; i < opt.runs; i++) {
    log(`${name}: run ${i + 1} of ${opt.runs}`);
    const temp = await makeTempDir('coffer-bench-tree-', opt.dir);
    try {
      results.set(name, [...(results.get(name) ?? []), await go(temp.path)]);
    } finally {
      await temp.remove();
    }
  }
  const b = name.startsWith('coffer ') ? (name.slice(7) as CofferBackend) : undefined;
  if (b) {
    console.log(`\nbench:tree — medians of ${opt.runs} run(s); wall time of each command (coffer sync --once, borg create / extract, restic backup / restore)`);
    verdicts[b] = printBackend(`Coffer on ${BACKEND_TITLES[b]}`, snapshots, results.get(name)!, results.get('borg') ?? [], results.get('restic') ?? []);
  }
}
console.log(FOOTNOTES);

const json = Object.fromEntries(
  [...results].map(([who, runs]) => {
    const m = medians(runs);
    return [who, { peakRssMiB: Math.round(m.peakRss / 2 ** 20), stages: Object.fromEntries([...m.stages].map(([s, x]) => [s, { wall: +x.wall.toFixed(2), storedBytes: x.storedBytes, ...(x.nodeBytes !== undefined ? { nodeBytes: x.nodeBytes } : {}) }])) }];
  }),
);
console.log(`bench:tree ${JSON.stringify({ runs: opt.runs, snapshots: snapshots.length, files: total.files, bytes: total.bytes, results: json, verdicts })}`);
