/**
 * npm run bench:rss [-- --runs 3 --backends embedded,pg --files 2000 --big-mib 256 --node-args=--flag,… --build dist --dir DIR]
 *
 * The server's memory under a fixed load (issue 20: peak RSS ≤ 256 MiB on both back ends). On each
 * back end (bench-tree/coffer-stages.ts: the embedded default, PGlite with three local-directory
 * nodes; PostgreSQL with six S3 node processes, 4+2) a fresh server process, then with the real
 * `coffer` CLI: `coffer sync --once` of a folder of `--files` small files (1–16 KiB, batch uploads)
 * and one `--big-mib` file of random bytes, then a second device syncs it into an empty folder (the
 * download). The figure is the peak RSS of the server's whole process tree (the server and any child
 * it starts, sampled every 100 ms; the S3 nodes, standing in for MinIO, are not counted), idle after
 * boot, per run and the median of the runs, with the per-child breakdown. `--node-args` adds Node
 * flags to the server process (for experiments); the server runs from source under tsx, as bench:tree runs it,
 * or with `--build dist` compiled, as `npm run start:prod` runs it (run `npm run build:server` first).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@coffer/client/testing/cli-harness';
import { memoryOf, PROD_FLAGS, SERVER_FLAGS } from '@coffer/server/testing/server-process';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { scriptOptions } from './options.js';
import { BACKEND_TITLES, login, startServer, type CofferBackend } from './bench-tree/coffer-stages.js';

const USAGE = 'npm run bench:rss [-- --runs 3 --backends embedded,pg --files 2000 --big-mib 256 --node-args=--flag,… --build source|dist --dir DIR]';
const opt = scriptOptions({ runs: 3, backends: 'embedded,pg', files: 2000, 'big-mib': 256, 'node-args': '', build: 'source', dir: tmpdir() }, USAGE);
if (opt.build !== 'source' && opt.build !== 'dist') throw new Error(`--build: ${opt.build} is neither source nor dist\nusage: ${USAGE}`);
const build = opt.build as 'source' | 'dist';
const backends = opt.backends.split(',').map((b) => b.trim()) as CofferBackend[];
for (const b of backends) if (!(b in BACKEND_TITLES)) throw new Error(`--backends: ${b} is neither embedded nor pg\nusage: ${USAGE}`);
const nodeArgs = opt['node-args'].split(/[\s,]+/).filter(Boolean);
const MiB = 2 ** 20;
const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
const log = (s: string) => console.log(`  [${new Date().toISOString().slice(11, 19)}] ${s}`);

/** The load's folder: small files in subfolders of 100, and the big file, written in 16 MiB pieces. */
async function placeLoad(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < opt.files; i++) {
    const sub = join(dir, `small-${Math.floor(i / 100)}`);
    if (i % 100 === 0) await mkdir(sub, { recursive: true });
    await writeFile(join(sub, `f${i}.txt`), `${i} `.repeat(200 + ((i * 997) % 8000)));
  }
  const big = join(dir, 'big.bin');
  await writeFile(big, Buffer.alloc(0));
  for (let left = opt['big-mib'] * MiB; left > 0; left -= 16 * MiB) await appendFile(big, randomBytes(Math.min(left, 16 * MiB)));
}

interface Run {
  idle: number;
  peak: number;
  children: Map<string, number>;
}

async function runOnce(backend: CofferBackend, temp: string, load: string): Promise<Run> {
  await mkdir(join(temp, 'srv'), { recursive: true });
  // The sync state a previous run left in the folder names that run's server: against a fresh
  // one, the client took the files for deleted remotely and deleted them locally, so every run
  // after the first moved nothing.
  await rm(join(load, '.coffer'), { recursive: true, force: true });
  const server = await startServer(backend, join(temp, 'srv'), { build, ...(nodeArgs.length ? { nodeArgs } : {}) });
  let idle = 0;
  let peak = 0;
  try {
    const { srv } = server;
    await new Promise((r) => setTimeout(r, 2000));
    idle = (await memoryOf(srv.pid)).rss;
    for (const [device, dir] of [['rss-up', load], ['rss-down', join(temp, 'restore')]] as const) {
      const configDir = join(temp, `config-${device}`);
      await login(srv, configDir, device);
      if (device === 'rss-down') await mkdir(dir, { recursive: true });
      const t0 = performance.now();
      const r = await runCli(['sync', dir, '/rss', '--once'], { configDir });
      if (r.code !== 0) throw new Error(`coffer sync (${device}) failed (${r.code}): ${r.stderr.slice(-2000)}`);
      log(`${backend}: ${device === 'rss-up' ? 'upload' : 'download'} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const big = await stat(join(temp, 'restore', 'big.bin')).catch(() => undefined);
    if (big?.size !== opt['big-mib'] * MiB) throw new Error(`the download is not the load (big.bin: ${big?.size ?? 'missing'})`);
  } finally {
    peak = await server.stop();
  }
  return { idle, peak, children: server.children() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const temp = await makeTempDir('bench-rss-', opt.dir);
const json: Record<string, unknown> = {};
try {
  const load = join(temp.path, 'load');
  await placeLoad(load);
  console.log(`bench:rss — ${opt.files} small files + one ${opt['big-mib']} MiB file, up then down; ${opt.runs} run(s); server ${build === 'dist' ? 'dist/server/main.js' : 'from source (tsx)'}, Node flags: ${[...SERVER_FLAGS, ...(build === 'dist' ? PROD_FLAGS : []), ...nodeArgs].join(' ')}`);
  const runs = new Map<CofferBackend, Run[]>(backends.map((b) => [b, []]));
  // Interleaved: the machine's noise falls on both back ends alike.
  for (let i = 0; i < opt.runs; i++) {
    for (const b of backends) {
      const work = join(temp.path, `${b}-${i}`);
      const r = await runOnce(b, work, load);
      await rm(work, { recursive: true, force: true });
      runs.get(b)!.push(r);
      log(`${b} run ${i + 1}: idle ${mib(r.idle)}, peak of the process tree ${mib(r.peak)}${[...r.children].map(([c, v]) => `; child ${c}: ${mib(v)}`).join('')}`);
    }
  }
  for (const [b, rs] of runs) {
    const peaks = rs.map((r) => r.peak);
    const med = median(peaks);
    console.log(`${BACKEND_TITLES[b]}: peak RSS median ${mib(med)} (runs ${peaks.map(mib).join(', ')}), idle median ${mib(median(rs.map((r) => r.idle)))} — target ≤ 256 MiB: ${med <= 256 * MiB ? 'met' : 'MISSED'}`);
    json[b] = { peakMiB: peaks.map((p) => Math.round(p / MiB)), idleMiB: rs.map((r) => Math.round(r.idle / MiB)) };
  }
  console.log(`bench:rss ${JSON.stringify(json)}`);
} finally {
  await temp.remove();
}
