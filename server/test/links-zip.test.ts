/**
 * A folder link downloads as one zip, streamed (issue 15): a folder of 1 GiB — sixteen 64 MiB
 * files (one upload, fifteen server-side copies of its blocks) and a nested folder — through the
 * real server process on PostgreSQL. The server's RSS, sampled every 100 ms, and its VmHWM stay
 * under 300 MiB; the zip has exactly the announced length, `unzip -t` finds every entry's CRC
 * right, and an entry read back is the bytes uploaded. The download is counted once.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { generated, hashing } from './fixtures/data.js';
import { memoryOf, startServerProcess, watchMemory, type ServerProcess } from './fixtures/server-process.js';

const MiB = 1024 * 1024;
const PART = 64 * MiB;
const PARTS = 16;
const RSS_LIMIT = 300 * MiB;

describe('folder links stream zips', () => {
  let srv: ServerProcess | undefined;
  const tmp = useTempDir('coffer-zip-');
  afterAll(async () => {
    await srv?.cleanup();
  });

  it('a 1 GiB folder zips with the server’s RSS under 300 MiB, every entry intact', async () => {
    srv = await startServerProcess({ backend: 'postgres' });
    const s = srv;
    const json = (path: string, body: unknown) => s.call('POST', `/api/v1${path}`, { json: body });
    expect((await json('/mkdir', { path: '/Big/Nested', parents: true })).status).toBeLessThan(300);
    const source = hashing(generated('links-zip', 0, PART));
    const up = await s.call('POST', '/api/v1/upload?uploadType=media&path=%2FBig%2Fpart-00.bin', {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(PART) },
      body: source.stream,
    });
    expect(up.status, String(up.body)).toBe(201);
    for (let i = 1; i < PARTS; i++) {
      const r = await json('/copy', { from: '/Big/part-00.bin', to: `/Big/part-${String(i).padStart(2, '0')}.bin` });
      expect(r.status, String(r.body)).toBe(201);
    }
    await s.call('POST', '/api/v1/upload?uploadType=media&path=%2FBig%2FNested%2Fnote.txt', { body: 'inside' });
    const made = await json('/links', { path: '/Big' });
    expect(made.status).toBe(201);
    const token = (made.json().url as string).split('/s/')[1]!;

    const idle = await memoryOf(s.pid);
    const mem = watchMemory(s.pid, 100);
    const t = Date.now();
    const res = await s.stream('GET', `/s/${token}/download`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toContain('Big.zip');
    const announced = Number(res.headers['content-length']);
    const file = join(tmp(), 'big.zip');
    let n = 0;
    await pipeline(
      res,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          n += c.length;
          yield c;
        }
      },
      createWriteStream(file),
    );
    const seconds = (Date.now() - t) / 1000;
    const peak = await mem.stop();
    const mb = (x: number) => (x / MiB).toFixed(0);
    console.log(
      `[links-zip] ${mb(n)} MiB zip in ${seconds.toFixed(1)} s (${(n / MiB / seconds).toFixed(0)} MiB/s); server RSS idle ${mb(idle.rss)} MiB, ` +
        `sampled peak ${mb(peak.peakRss)} MiB (${peak.samples} samples), VmHWM ${mb(peak.hwm)} MiB`,
    );
    expect(n).toBe(announced);
    // Asked at once: the keep-alive socket would be closed by the server while unzip runs below.
    const links = (await s.call('GET', '/api/v1/links')).json().links as { downloads: number }[];
    expect(links[0]!.downloads).toBe(1);
    expect(n).toBeGreaterThan(PARTS * PART);

    const listing = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' });
    expect(listing.stdout.trim().split('\n').sort()).toEqual(
      ['Big/', 'Big/Nested/', 'Big/Nested/note.txt', ...Array.from({ length: PARTS }, (_, i) => `Big/part-${String(i).padStart(2, '0')}.bin`)].sort(),
    );
    const test = spawnSync('unzip', ['-tqq', file], { encoding: 'utf8' });
    expect(test.status, test.stdout + test.stderr).toBe(0);
    const one = spawnSync('sh', ['-c', `unzip -p "${file}" Big/part-11.bin | sha256sum`], { encoding: 'utf8' });
    expect(one.stdout.split(' ')[0]).toBe(source.digest());
    expect(spawnSync('unzip', ['-p', file, 'Big/Nested/note.txt'], { encoding: 'utf8' }).stdout).toBe('inside');

    expect(peak.samples).toBeGreaterThan(10);
    expect(peak.peakRss, `sampled peak RSS (idle before: ${mb(idle.rss)} MiB)`).toBeLessThan(RSS_LIMIT);
    expect(peak.hwm, `VmHWM, the peak RSS since boot (idle before: ${mb(idle.rss)} MiB)`).toBeLessThan(RSS_LIMIT);
  }, 900_000);
});
