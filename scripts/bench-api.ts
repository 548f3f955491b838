/**
 * npm run bench:api [-- --size-mib 1024 --files 2000 --file-kib 500 --clients 16 --dir /tmp --backend pglite --profile DIR]
 *
 * End-to-end throughput of the HTTP API on the embedded default: the real server process
 * (`server/src/main.ts`) over HTTPS with its self-signed certificate (the client trusts exactly
 * that certificate), PGlite metadata and three local-directory nodes in a fresh data directory
 * on disk. Measures, each next to its denominator measured in the same run on the same disk:
 *   - a simple upload of one big file streamed from memory (MB/s), vs. writing the same bytes to
 *     a file in the data directory with fs streams and fsync;
 *   - its download (MB/s) by curl (by a node:https client too, printed beside), vs. reading that
 *     file back with fs streams;
 *   - many small simple uploads to distinct paths by concurrent clients (files/s), vs. the same
 *     number of plain file writes (write + fdatasync) by as many concurrent writers.
 * Contents are random-ish and differ per file (an AES-CTR keystream, a quarter compressible), so
 * deduplication does not flatter the figures. Prints the server's peak RSS (sampled and VmHWM), and
 * the server's CPU time per MB and per file (user + system, all threads), which varies less than
 * wall-clock rates on a shared machine. `--profile DIR`: the server's CPU profile, written to DIR
 * when it is stopped at the end (SIGTERM, so that it exits on its own).
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { generated } from '@coffer/server/testing/data';
import { startServerProcess, watchMemory, type Backend } from '@coffer/server/testing/server-process';
import { httpsFloor } from './https-floor.js';
import { scriptOptions } from './options.js';

const opt = scriptOptions(
  { 'size-mib': 1024, files: 2000, 'file-kib': 500, clients: 16, dir: tmpdir(), backend: 'pglite', profile: '' },
  'npm run bench:api [-- --size-mib 1024 --files 2000 --file-kib 500 --clients 16 --dir /tmp --backend pglite|postgres --profile DIR]',
);
const MiB = 1024 * 1024;
const SIZE = opt['size-mib'] * MiB;
const FILES = opt.files;
const FILE_BYTES = opt['file-kib'] * 1024;
const CLIENTS = opt.clients;
const PARENT = opt.dir;
const BACKEND = opt.backend as Backend;
const TARGET_FILES_PER_S = 480;

const execFileAsync = promisify(execFile);
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const now = () => performance.now();
const pad = (s: string, n = 9) => s.padStart(n);

async function firstBytes(seed: string, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of generated(seed, 0, n)) parts.push(b);
  return Buffer.concat(parts);
}

/** A download by curl to /dev/null (undefined when there is no curl): bytes received and wall ms, curl's start included. */
async function curlDownload(url: string, caFile: string, token: string): Promise<{ bytes: number; ms: number } | undefined> {
  const t = now();
  try {
    const { stdout } = await execFileAsync('curl', ['-sS', '--fail', '--cacert', caFile, '-H', `authorization: Bearer ${token}`, '-o', '/dev/null', '-w', '%{size_download}', url]);
    return { bytes: Number(stdout.trim()), ms: now() - t };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** CPU seconds the server process has used so far (all threads: user + system), from /proc. */
function serverCpu(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Run `count` jobs on `width` concurrent workers. */
async function pool(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

console.log(
  `Coffer API benchmark — server process on ${BACKEND === 'pglite' ? 'the embedded default (PGlite' : '(PostgreSQL'}, ` +
    `3 local-directory nodes, 2+1), HTTPS with the self-signed certificate, data under ${PARENT}, ${availableParallelism()} cores`,
);
const profileArgs = opt.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opt.profile)}`] : [];
// As production runs it: no answer checks.
const srv = await startServerProcess({ backend: BACKEND, tls: true, parentDir: PARENT, env: { COFFER_VALIDATE_ANSWERS: '0' }, nodeArgs: profileArgs });
const plainDir = join(srv.dataDir, 'bench-plain');
await mkdir(plainDir, { recursive: true });
const mem = watchMemory(srv.pid, 100);
let failed = false;
try {
  // 1. One big file: simple upload (streamed, Content-Length known), then download.
  const bigSeed = `bench-big-${Date.now()}`;
  let cpu = serverCpu(srv.pid);
  let t = now();
  const up = await srv.call('POST', '/api/v1/upload?uploadType=media&path=%2Fbench-big.bin', {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
    body: generated(bigSeed, 0, SIZE),
  });
  const upMs = now() - t;
  if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${up.body}`);
  const upCpu = serverCpu(srv.pid) - cpu;

  // Downloaded twice: by curl (a client in C, as browsers, rclone and curl users are), and by a
  // node:https client reading with `for await`, whose own CPU (~2.5 s a GiB here: an await per
  // 16 KiB TLS record) bounded the figure at ~400 MB/s while the server had time to spare.
  const downPath = '/api/v1/download?path=%2Fbench-big.bin';
  cpu = serverCpu(srv.pid);
  const byCurl = await curlDownload(`${srv.url}${downPath}`, join(srv.dataDir, 'tls', 'cert.pem'), srv.token);
  const curlCpu = serverCpu(srv.pid) - cpu;
  if (byCurl && byCurl.bytes !== SIZE) throw new Error(`curl's download gave ${byCurl.bytes} bytes, not ${SIZE}`);

  cpu = serverCpu(srv.pid);
  const nodeCpu0 = process.cpuUsage();
  t = now();
  const res = await srv.stream('GET', downPath);
  if (res.statusCode !== 200) throw new Error(`download answered ${res.statusCode}`);
  let got = 0;
  for await (const b of res) got += (b as Buffer).length;
  const nodeMs = now() - t;
  const nodeClientCpu = process.cpuUsage(nodeCpu0);
  if (got !== SIZE) throw new Error(`download gave ${got} bytes, not ${SIZE}`);
  const nodeCpu = serverCpu(srv.pid) - cpu;
  const downMs = byCurl?.ms ?? nodeMs;
  const downCpu = byCurl ? curlCpu : nodeCpu;

  const plainPath = join(plainDir, 'big.bin');
  t = now();
  const ws = createWriteStream(plainPath);
  for await (const b of generated(bigSeed, 0, SIZE)) if (!ws.write(b)) await new Promise<void>((r) => ws.once('drain', () => r()));
  ws.end();
  await finished(ws);
  const fh = await open(plainPath, 'r+');
  await fh.sync();
  await fh.close();
  const copyMs = now() - t;
  t = now();
  let read = 0;
  for await (const b of createReadStream(plainPath, { highWaterMark: MiB })) read += (b as Buffer).length;
  const readMs = now() - t;
  await rm(plainPath);

  console.log(`\n${SIZE / MiB} MiB file, one stream        API      plain fs    ratio`);
  console.log(`  upload   (MB/s)              ${pad(mbps(SIZE, upMs).toFixed(0))}  ${pad(mbps(SIZE, copyMs).toFixed(0))}  ${pad(((mbps(SIZE, upMs) / mbps(SIZE, copyMs)) * 100).toFixed(0))} %   (plain: write + fsync)`);
  console.log(`  download (MB/s)              ${pad(mbps(SIZE, downMs).toFixed(0))}  ${pad(mbps(read, readMs).toFixed(0))}  ${pad(((mbps(SIZE, downMs) / mbps(read, readMs)) * 100).toFixed(0))} %   (plain: read back; client: ${byCurl ? 'curl' : 'node:https, curl not found'})`);
  console.log(`    by a node:https client     ${pad(mbps(SIZE, nodeMs).toFixed(0))}            (for await; the client's CPU ${((nodeClientCpu.user + nodeClientCpu.system) / 1e6).toFixed(1)} s, the server's ${nodeCpu.toFixed(1)} s)`);
  console.log(`  server CPU: upload ${upCpu.toFixed(1)} s (${(SIZE / 1e6 / upCpu).toFixed(0)} MB per CPU-second), download ${downCpu.toFixed(1)} s (${(SIZE / 1e6 / downCpu).toFixed(0)} MB per CPU-second)`);

  // 2. Many small files, CLIENTS concurrent clients, distinct paths, distinct contents.
  const mk = await srv.call('POST', '/api/v1/mkdir', { json: { path: '/bench-files' } });
  if (mk.status !== 201) throw new Error(`mkdir answered ${mk.status}: ${mk.body}`);
  const runSeed = `bench-small-${Date.now()}`;
  const latencies: number[] = [];
  cpu = serverCpu(srv.pid);
  t = now();
  await pool(FILES, CLIENTS, async (i) => {
    const body = await firstBytes(`${runSeed}-${i}`, FILE_BYTES);
    const t0 = now();
    const r = await srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(`/bench-files/f-${String(i).padStart(5, '0')}.bin`)}`, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
      body,
    });
    latencies.push(now() - t0);
    if (r.status !== 201) throw new Error(`upload ${i} answered ${r.status}: ${r.body}`);
  });
  const filesMs = now() - t;
  const filesCpu = serverCpu(srv.pid) - cpu;

  t = now();
  await pool(FILES, CLIENTS, async (i) => {
    const body = await firstBytes(`${runSeed}-${i}`, FILE_BYTES);
    const f = await open(join(plainDir, `f-${i}.bin`), 'w');
    await f.write(body);
    await f.datasync();
    await f.close();
  });
  const plainFilesMs = now() - t;

  // What the embedded layout alone costs the disk: each file is 3 shard objects of half its size
  // (2+1 on three directories of one disk), each stored as FsNode stores it (temp file, write,
  // fdatasync, rename, directory fsync), with no hashing, encryption or HTTP at all.
  t = now();
  const shardBytes = Math.ceil(FILE_BYTES / 2) + 28;
  await Promise.all([0, 1, 2].map((n) => mkdir(join(plainDir, `n${n}`), { recursive: true })));
  await pool(FILES, CLIENTS, async (i) => {
    const body = await firstBytes(`${runSeed}-${i}`, shardBytes);
    await Promise.all([0, 1, 2].map(async (n) => {
      const dir = join(plainDir, `n${n}`);
      const path = join(dir, `s-${i}`);
      const f = await open(`${path}~tmp`, 'wx');
      await f.write(body);
      await f.datasync();
      await f.close();
      await rename(`${path}~tmp`, path);
      const d = await open(dir, 'r');
      await d.sync();
      await d.close();
    }));
  });
  const layoutFilesMs = now() - t;
  await rm(plainDir, { recursive: true, force: true });

  const apiRate = FILES / (filesMs / 1000);
  const plainRate = FILES / (plainFilesMs / 1000);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
  console.log(`\n${FILES} files of ${FILE_BYTES / 1024} KiB, ${CLIENTS} clients    API      plain fs    ratio`);
  console.log(`  files/s                      ${pad(apiRate.toFixed(0))}  ${pad(plainRate.toFixed(0))}  ${pad(((apiRate / plainRate) * 100).toFixed(0))} %   (plain: write + fdatasync, ${CLIENTS} writers)`);
  console.log(`  MB/s                         ${pad(mbps(FILES * FILE_BYTES, filesMs).toFixed(0))}  ${pad(mbps(FILES * FILE_BYTES, plainFilesMs).toFixed(0))}`);
  const floor = await httpsFloor(srv.dataDir, srv.ca!, FILES, CLIENTS, (i) => firstBytes(`${runSeed}-${i}`, FILE_BYTES));
  console.log(`  HTTPS transport floor        ${pad(floor.filesPerS.toFixed(0), 20)} files/s   (a bare node:https sink, same clients and bodies; ${floor.cpuMsPerFile.toFixed(2)} ms of CPU per file, client + sink)`);
  const layoutRate = FILES / (layoutFilesMs / 1000);
  console.log(`  disk bound of the layout     ${pad(layoutRate.toFixed(0), 20)} files/s   (plain: 3 durable shard files per file, as FsNode writes them, no CPU work)`);
  console.log(`  latency per upload (ms)      p50 ${pct(50)}, p99 ${pct(99)}, max ${latencies.at(-1)!.toFixed(0)}`);
  console.log(`  server CPU: ${((filesCpu / FILES) * 1000).toFixed(1)} ms per file (${(FILES / filesCpu).toFixed(0)} files per CPU-second)`);
  if (apiRate < TARGET_FILES_PER_S) failed = true;
} finally {
  const peak = await mem.stop();
  console.log(`\nserver peak RSS: ${(peak.peakRss / MiB).toFixed(0)} MiB sampled every 100 ms, VmHWM ${(peak.hwm / MiB).toFixed(0)} MiB (since boot)`);
  // A profiled server must exit on its own to write its profile (cleanup kills it outright).
  if (opt.profile) await srv.kill('SIGTERM');
  await srv.cleanup();
}
console.log(failed ? `TARGET MISSED: ≥ ${TARGET_FILES_PER_S} files/s of 500 KiB` : `target met: ≥ ${TARGET_FILES_PER_S} files/s of 500 KiB`);
