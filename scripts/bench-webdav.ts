/**
 * npm run bench:webdav [-- --size-mib 256 --files 1000 --file-kib 4 --clients 8 --propfinds 60 --backend postgres]
 *
 * WebDAV (/dav/) beside the REST API, in one run on one server process (HTTPS with its
 * self-signed certificate, three local-directory nodes): the same user, the same engine.
 *   - PUT and GET of one big file through /dav/ and through the REST API (MB/s; target: WebDAV
 *     within 10 % of REST both ways);
 *   - PUT of many small files on several connections (files/s), next to the REST API's simple upload;
 *   - PROPFIND Depth 1 of the folder of those files (median and best ms; target: median ≤ 12 ms,
 *     Apache mod_dav's figure on this machine);
 *   - the server's peak RSS.
 */
import { availableParallelism } from 'node:os';
import { generated } from '@coffer/server/testing/data';
import { startServerProcess, watchMemory, type Backend } from '@coffer/server/testing/server-process';
import { scriptOptions } from './options.js';

const opt = scriptOptions(
  { 'size-mib': 256, rounds: 2, files: 1000, 'file-kib': 4, clients: 8, propfinds: 60, backend: 'postgres' },
  'npm run bench:webdav [-- --size-mib 256 --rounds 2 --files 1000 --file-kib 4 --clients 8 --propfinds 60 --backend postgres|pglite]',
);
const MiB = 1024 * 1024;
const SIZE = opt['size-mib'] * MiB;
const FILES = opt.files;
const FILE_BYTES = opt['file-kib'] * 1024;
const CLIENTS = opt.clients;
const PROPFINDS = opt.propfinds;
const TARGET_RATIO = 0.9;
const TARGET_PROPFIND_MS = 12;

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const now = () => performance.now();
const pad = (s: string, n = 9) => s.padStart(n);

async function pool(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

function smallBody(i: number): Buffer {
  const b = Buffer.alloc(FILE_BYTES, i % 251);
  b.writeUInt32BE(i, 0); // distinct contents: no dedup between files
  return b;
}

console.log(`Coffer WebDAV benchmark — one server process (${opt.backend}), HTTPS, 3 local-directory nodes, ${availableParallelism()} cores`);
const srv = await startServerProcess({ backend: opt.backend as Backend, tls: true, env: { COFFER_VALIDATE_ANSWERS: '0' } }) // as production runs it: no answer checks;
const mem = watchMemory(srv.pid, 100);
const misses: string[] = [];
try {
  const ap = await srv.call('POST', '/api/v1/app-passwords', { json: { label: 'bench' } });
  if (ap.status !== 201) throw new Error(`app password: ${ap.status} ${ap.body}`);
  const basic = { authorization: `Basic ${Buffer.from(`${srv.username}:${ap.json<{ password: string }>().password}`).toString('base64')}` };
  const dav = async (method: string, path: string, o: { headers?: Record<string, string>; body?: Buffer | AsyncIterable<Uint8Array> | string } = {}) =>
    srv.call(method, `/dav${path}`, { ...o, headers: { ...basic, ...o.headers } });

  // 1. One big file each way, REST then WebDAV (different contents: no dedup between them).
  const seed = `bench-dav-${Date.now()}`;
  const timed = async (f: () => Promise<number>) => {
    const t = now();
    const status = await f();
    return { ms: now() - t, status };
  };
  const drain = async (method: string, path: string, headers: Record<string, string>) => {
    const res = await srv.stream(method, path, { headers });
    let got = 0;
    for await (const b of res) got += (b as Buffer).length;
    if (got !== SIZE) throw new Error(`${path} gave ${got} bytes, not ${SIZE}`);
    return res.statusCode ?? 0;
  };
  const len = { 'content-length': String(SIZE), 'content-type': 'application/octet-stream' };
  // Rounds alternate REST and WebDAV; the best of each is kept (the machine is shared: the best
  // run is the one least disturbed, and both sides get the same chances).
  const best = { restUp: Infinity, davUp: Infinity, restDown: Infinity, davDown: Infinity };
  for (let round = 0; round < opt.rounds; round++) {
    const restUp = await timed(async () => (await srv.call('POST', `/api/v1/upload?uploadType=media&path=%2Frest-big-${round}.bin`, { headers: len, body: generated(`${seed}-rest-${round}`, 0, SIZE) })).status);
    const davUp = await timed(async () => (await dav('PUT', `/dav-big-${round}.bin`, { headers: len, body: generated(`${seed}-dav-${round}`, 0, SIZE) })).status);
    if (restUp.status !== 201 || davUp.status !== 201) throw new Error(`big uploads answered ${restUp.status} / ${davUp.status}`);
    const restDown = await timed(() => drain('GET', `/api/v1/download?path=%2Frest-big-${round}.bin`, {}));
    const davDown = await timed(() => drain('GET', `/dav/dav-big-${round}.bin`, basic));
    best.restUp = Math.min(best.restUp, restUp.ms);
    best.davUp = Math.min(best.davUp, davUp.ms);
    best.restDown = Math.min(best.restDown, restDown.ms);
    best.davDown = Math.min(best.davDown, davDown.ms);
  }
  const restUp = { ms: best.restUp };
  const davUp = { ms: best.davUp };
  const restDown = { ms: best.restDown };
  const davDown = { ms: best.davDown };
  const ratioUp = mbps(SIZE, davUp.ms) / mbps(SIZE, restUp.ms);
  const ratioDown = mbps(SIZE, davDown.ms) / mbps(SIZE, restDown.ms);
  console.log(`\n${SIZE / MiB} MiB file, one stream, best of ${opt.rounds}   REST     WebDAV    WebDAV/REST`);
  console.log(`  PUT / upload (MB/s)          ${pad(mbps(SIZE, restUp.ms).toFixed(0))}  ${pad(mbps(SIZE, davUp.ms).toFixed(0))}  ${pad((ratioUp * 100).toFixed(0))} %`);
  console.log(`  GET / download (MB/s)        ${pad(mbps(SIZE, restDown.ms).toFixed(0))}  ${pad(mbps(SIZE, davDown.ms).toFixed(0))}  ${pad((ratioDown * 100).toFixed(0))} %`);
  if (ratioUp < TARGET_RATIO) misses.push(`WebDAV PUT at ${(ratioUp * 100).toFixed(0)} % of REST (target ≥ ${TARGET_RATIO * 100} %)`);
  if (ratioDown < TARGET_RATIO) misses.push(`WebDAV GET at ${(ratioDown * 100).toFixed(0)} % of REST (target ≥ ${TARGET_RATIO * 100} %)`);

  // 2. Many small files on CLIENTS connections: REST into one folder, WebDAV into another.
  await srv.call('POST', '/api/v1/mkdir', { json: { path: '/rest-small' } });
  if ((await dav('MKCOL', '/dav-small')).status !== 201) throw new Error('MKCOL failed');
  const small = async (offset: number, put: (i: number, body: Buffer) => Promise<number>) => {
    const t = now();
    await pool(FILES, CLIENTS, async (i) => {
      const status = await put(i, smallBody(offset + i));
      if (status !== 201) throw new Error(`small upload ${i} answered ${status}`);
    });
    return FILES / ((now() - t) / 1000);
  };
  const restRate = await small(0, async (i, body) => (await srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(`/rest-small/f-${i}.bin`)}`, { headers: { 'content-length': String(body.length) }, body })).status);
  const davRate = await small(FILES, async (i, body) => (await dav('PUT', `/dav-small/f-${i}.bin`, { headers: { 'content-length': String(body.length) }, body })).status);
  console.log(`\n${FILES} files of ${FILE_BYTES / 1024} KiB, ${CLIENTS} connections   REST     WebDAV    WebDAV/REST`);
  console.log(`  files/s                      ${pad(restRate.toFixed(0))}  ${pad(davRate.toFixed(0))}  ${pad(((davRate / restRate) * 100).toFixed(0))} %`);

  // 3. PROPFIND Depth 1 of that folder: what Finder, Explorer and rclone ask for a listing.
  const body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/></D:prop></D:propfind>';
  const propfind = async (b: string) => {
    const t = now();
    const r = await dav('PROPFIND', '/dav-small/', { headers: { depth: '1', 'content-type': 'application/xml' }, body: b });
    const ms = now() - t;
    if (r.status !== 207) throw new Error(`PROPFIND answered ${r.status}`);
    const responses = r.body.toString('utf8').split('<D:response>').length - 1;
    if (responses !== FILES + 1) throw new Error(`PROPFIND listed ${responses - 1} children, not ${FILES}`);
    return ms;
  };
  const stats = async (b: string) => {
    for (let i = 0; i < 5; i++) await propfind(b); // warm: plans, connections
    const ms: number[] = [];
    for (let i = 0; i < PROPFINDS; i++) ms.push(await propfind(b));
    ms.sort((a, z) => a - z);
    return { median: ms[Math.floor(ms.length / 2)]!, best: ms[0]!, p90: ms[Math.floor(ms.length * 0.9)]! };
  };
  const named = await stats(body);
  const all = await stats('');
  console.log(`\nPROPFIND Depth 1 of ${FILES} files (${PROPFINDS} runs)   median     best      p90`);
  console.log(`  named live properties        ${pad(named.median.toFixed(1))}  ${pad(named.best.toFixed(1))}  ${pad(named.p90.toFixed(1))}  ms`);
  console.log(`  allprop (dead props, locks)  ${pad(all.median.toFixed(1))}  ${pad(all.best.toFixed(1))}  ${pad(all.p90.toFixed(1))}  ms`);
  if (named.median > TARGET_PROPFIND_MS) misses.push(`PROPFIND median ${named.median.toFixed(1)} ms (target ≤ ${TARGET_PROPFIND_MS} ms)`);
} finally {
  const peak = await mem.stop();
  console.log(`\nserver peak RSS: ${(peak.peakRss / MiB).toFixed(0)} MiB sampled every 100 ms, VmHWM ${(peak.hwm / MiB).toFixed(0)} MiB (since boot)`);
  await srv.cleanup();
}
console.log(misses.length ? `TARGETS MISSED: ${misses.join('; ')}` : 'targets met: WebDAV within 10 % of REST both ways, PROPFIND median ≤ 12 ms');
