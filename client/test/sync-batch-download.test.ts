/**
 * The sync agent fetches a tree of small files new remotely in batches (issue 20): a second device
 * joining a folder of 300 small files gets them in a handful of requests (the server's own
 * coffer_http_requests_total), byte-identical, every block counted once by `--stats`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converged, sha, logAgentsOnFailure, twoAgents, type World } from './sync-harness.js';
import { requestsServed } from './server-metrics.js';

let w: World;
logAgentsOnFailure(() => w);

beforeAll(async () => {
  w = await twoAgents();
}, 90_000);

afterAll(async () => {
  await w?.cleanup();
});

describe('sync downloads in batches', () => {
  it('300 small files new remotely reach a second device in a handful of requests', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 300; i++) files.set(`d${i % 4}/f${i}.txt`, randomBytes(50 + ((i * 53) % 4000)));
    for (const [rel, bytes] of files) {
      await mkdir(join(w.a.dir, rel, '..'), { recursive: true });
      await writeFile(w.a.path(rel), bytes);
    }
    w.a.start();
    await w.a.waitFor(/ idle\n/, 0, 120_000);
    await w.a.stop(); // only B talks to the server from here

    const before = await requestsServed(w.srv);
    w.b.start();
    const seen = await converged(w, (s) => s.size >= files.size, 120_000);
    const requests = (await requestsServed(w.srv)) - before - 1;
    for (const [rel, bytes] of files) expect(seen.get(rel), rel).toBe(sha(bytes));
    const b = await w.b.stats();
    expect(b.blocksReceived).toBe(files.size);
    expect(b.blockBytesReceived).toBe([...files.values()].reduce((n, f) => n + f.byteLength, 0));
    // One file at a time costs three requests a file (stat, block list, block): 900 and more.
    console.log(`sync: ${requests} requests for ${files.size} files`);
    expect(requests).toBeLessThan(60);
  }, 300_000);

  it('new files of a few MiB come ahead in the batches too, not one at a time', async () => {
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 4; i++) files.set(`big/f${i}.bin`, randomBytes((2 + i) * 1024 * 1024 + 17));
    files.set('big/small.txt', randomBytes(900));
    await mkdir(w.a.path('big'), { recursive: true });
    for (const [rel, bytes] of files) await writeFile(w.a.path(rel), bytes);
    const from = w.a.output.length;
    w.a.start();
    await w.a.waitFor(/ idle\n/, from, 120_000);
    await w.a.stop();
    await w.b.stop();

    const perFile = await requestsServed(w.srv, /route="\/api\/v1\/revisions\/blocks"/);
    w.b.start();
    const seen = await converged(w, (s) => [...files.keys()].every((rel) => s.has(rel)), 120_000);
    for (const [rel, bytes] of files) expect(seen.get(rel), rel).toBe(sha(bytes));
    // The per-file path asks for each file's block list alone (GET /revisions/blocks).
    expect((await requestsServed(w.srv, /route="\/api\/v1\/revisions\/blocks"/)) - perFile).toBe(0);
  }, 300_000);
});
