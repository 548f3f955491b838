/**
 * Memory stays bounded under a big transfer (DESIGN §3 write step 1, §7 invariant 6): a 2 GiB
 * simple upload generated on the fly, then its download, through the real server process with
 * three local-directory nodes on disk. The server's RSS, sampled every 100 ms from /proc, and its VmHWM (the kernel's own peak) stay under 300 MiB, and the bytes read
 * back are the bytes written. The metadata is on PostgreSQL (as in production);
 * COFFER_TEST_LARGE_BACKENDS=pglite,postgres runs it on the embedded database too.
 */
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { generated, hashing } from './fixtures/data.js';
import { memoryOf, startServerProcess, watchMemory, type Backend, type ServerProcess } from './fixtures/server-process.js';

const MiB = 1024 * 1024;
const SIZE = 2048 * MiB;
const RSS_LIMIT = 300 * MiB;
// PostgreSQL by default: the embedded PGlite alone holds ~250 MiB (its WebAssembly heap), which
// says nothing about the data path; COFFER_TEST_LARGE_BACKENDS=pglite measures it anyway.
const BACKENDS = (process.env.COFFER_TEST_LARGE_BACKENDS ?? 'postgres').split(',').map((b) => b.trim()) as Backend[];

describe.each(BACKENDS)('2 GiB upload and download through the server process (%s)', (backend) => {
  let srv: ServerProcess | undefined;
  afterAll(async () => {
    await srv?.cleanup();
  });

  it('streams both ways with the server’s RSS under 300 MiB, byte-identical', async () => {
    srv = await startServerProcess({ backend });
    const s = srv;
    const idle = await memoryOf(s.pid);
    const mem = watchMemory(s.pid, 100);
    const mb = (n: number) => (n / MiB).toFixed(0);

    const source = hashing(generated('large-transfer', 0, SIZE));
    let t = Date.now();
    const up = await s.call('POST', '/api/v1/upload?uploadType=media&path=%2Fbig.bin', {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(SIZE) },
      body: source.stream,
    });
    const upSeconds = (Date.now() - t) / 1000;
    expect(up.status, String(up.body)).toBe(201);
    expect(up.json()).toMatchObject({ path: '/big.bin', size: SIZE, rev: 1, pending: false, isDir: false });
    expect(source.bytes()).toBe(SIZE);
    const afterUpload = await memoryOf(s.pid);

    t = Date.now();
    const res = await s.stream('GET', '/api/v1/download?path=%2Fbig.bin');
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(SIZE);
    const h = createHash('sha256');
    let n = 0;
    for await (const b of res) {
      h.update(b as Buffer);
      n += (b as Buffer).length;
    }
    const downSeconds = (Date.now() - t) / 1000;
    const peak = await mem.stop();
    expect(n).toBe(SIZE);
    expect(h.digest('hex')).toBe(source.digest());

    console.log(
      `[large-transfer ${backend}] upload ${upSeconds.toFixed(1)} s (${(SIZE / MiB / upSeconds).toFixed(0)} MiB/s), ` +
        `download ${downSeconds.toFixed(1)} s (${(SIZE / MiB / downSeconds).toFixed(0)} MiB/s); server RSS idle ${mb(idle.rss)} MiB, ` +
        `after upload ${mb(afterUpload.rss)} MiB, sampled peak ${mb(peak.peakRss)} MiB (${peak.samples} samples), VmHWM ${mb(peak.hwm)} MiB`,
    );
    expect(peak.samples).toBeGreaterThan(10);
    expect(peak.peakRss, `sampled peak RSS (idle before the transfer: ${mb(idle.rss)} MiB)`).toBeLessThan(RSS_LIMIT);
    expect(peak.hwm, `VmHWM, the peak RSS since boot (idle before the transfer: ${mb(idle.rss)} MiB)`).toBeLessThan(RSS_LIMIT);
  }, 900_000);
});
