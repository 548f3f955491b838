/**
 * npm run bench:engine [-- --size-mib 1024 --dir /dev/shm --nodes 6]
 *
 * Ingest and read throughput of the storage engine for random and text-like data, on one core
 * (inline sealing) and with worker threads on every core; each stage's share of the time; peak
 * RSS; and the ratio to this machine's ceiling measured in the same run: SHA-256 plus
 * AES-256-GCM over the same kind of bytes with node:crypto (one loop on one thread, as the issue
 * defines it), and the same on every core, so the worker figure can be read against both.
 * The engine reads its input the way a file is read (FileStore.write with a FillSource: bytes
 * are made straight into block memory); an HTTP upload, whose bytes arrive in socket buffers,
 * pays one copy more (10–15% slower here).
 * Each configuration runs in its own child process so that its peak RSS is its own.
 * Nodes are local directories (default under /dev/shm, so the figures are the engine's, not the
 * disk's; pass --dir to put them on a disk).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measureCeiling, runConfig, type RunResult } from './bench-engine-run.js';
import type { DataKind } from './bench-data.js';
import { scriptOptions } from './options.js';

const args = process.argv.slice(2);

if (args[0] === '--child') {
  const [, kind, mode, size, dir, nodes] = args;
  const result = await runConfig(kind as DataKind, mode as 'one-core' | 'workers', Number(size), dir!, Number(nodes));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}
if (args[0] === '--ceiling') {
  const [, kind, size, threads] = args;
  process.stdout.write(JSON.stringify(await measureCeiling(kind as DataKind, Number(size), Number(threads))) + '\n');
  process.exit(0);
}

const MiB = 1024 * 1024;
const opt = scriptOptions({ 'size-mib': 1024, dir: existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), nodes: 6 }, 'npm run bench:engine [-- --size-mib 1024 --dir /dev/shm --nodes 6]', args);
const size = opt['size-mib'] * MiB;
const dir = opt.dir;
const nodes = opt.nodes;
const cores = availableParallelism();
const self = fileURLToPath(import.meta.url);

function child(argv: string[]): any {
  // A small young generation, as for any process that streams large buffers through the engine
  // (see storage-engine/README.md, "Throughput and memory").
  const r = spawnSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', self, ...argv], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(7);
console.log(`Coffer storage engine benchmark — ${size / MiB} MiB per run, ${nodes} local-directory nodes under ${dir}, ${cores} cores`);
console.log(`(erasure ${nodes >= 6 ? '4+2' : '2+1'}, zstd level 1, AES-256-GCM, FastCDC 256 KiB / 1 MiB / 4 MiB;`);
console.log(`one-core: everything on the main thread; workers: main thread chunks and does I/O, ${Math.max(1, cores - 1)} worker thread(s) seal)\n`);

let failed = false;
for (const kind of ['random', 'text'] as DataKind[]) {
  const ceilingSize = Math.min(size, 512 * MiB);
  const c1 = child(['--ceiling', kind, String(ceilingSize), '1']);
  const cN = child(['--ceiling', kind, String(ceilingSize), String(cores)]);
  console.log(`${kind} data — ceiling (SHA-256 + AES-256-GCM, node:crypto): ${c1.mbps.toFixed(0)} MB/s on one core, ${cN.mbps.toFixed(0)} MB/s on ${cores} cores`);
  for (const mode of ['one-core', 'workers'] as const) {
    const r: RunResult = child(['--child', kind, mode, String(size), dir, String(nodes)]);
    const ofOne = `${fmt((r.ingestMBps / c1.mbps) * 100)}% of ceiling`;
    const ofAll = mode === 'workers' ? `, ${((r.ingestMBps / cN.mbps) * 100).toFixed(0)}% of the ${cores}-core one` : '';
    console.log(
      `  ${mode.padEnd(9)} ingest ${fmt(r.ingestMBps)} MB/s (${ofOne}${ofAll})` +
        `   read ${fmt(r.readMBps)} MB/s   peak RSS ${fmt(r.peakRssMiB)} MiB (ingest ${r.ingestPeakRssMiB.toFixed(0)})   stored/input ${r.storedRatio.toFixed(2)}`,
    );
    console.log(`            ingest stages: ${shares(r.ingestStages)}`);
    console.log(`            read stages:   ${shares(r.readStages)}`);
    if (kind === 'random' && r.ingestMBps < 0.5 * c1.mbps) failed = true;
    if (r.peakRssMiB > 256) failed = true;
  }
  console.log('');
}
const targets = 'random ingest ≥ 50% of the ceiling (SHA-256 + AES-256-GCM with node:crypto on one core), peak RSS < 256 MiB';
console.log(failed ? `TARGETS MISSED (${targets})` : `targets met: ${targets}`);

function shares(stages: Record<string, number>): string {
  const total = Object.values(stages).reduce((a, b) => a + b, 0) || 1;
  return Object.entries(stages)
    .map(([k, v]) => `${k} ${((v / total) * 100).toFixed(0)}%`)
    .join(', ');
}
