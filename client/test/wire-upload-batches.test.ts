/**
 * Small files on the wire (issues 20 and 21): a batch of text files goes as one compressed pack,
 * edited small files as deltas against their previous versions in one entry pack, and a tiny
 * batch in one request with its blocks inline (an older server gets the three requests).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '@coffer/server/testing/server';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { CofferApi } from '../src/api/client.js';
import { DiskBlockCache } from '../src/transfer/block-cache.js';
import { TransferStats } from '../src/transfer/stats.js';
import { readSmall, sendBatch, type BatchItem } from '../src/transfer/batch-upload.js';
import { nodeReadable } from '../src/transfer/file-handle.js';
import { olderServer } from './older-server.js';

const srv = useTestServer('postgres');
let api: CofferApi;
const dir = useTempDir('coffer-wire-batches-');
beforeAll(async () => void (api = new CofferApi(srv.url, { insecureHttp: true }, (await srv.user()).token)));
afterAll(() => api?.http.close());

async function writeTemp(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir(), name);
  await writeFile(path, bytes);
  return path;
}

describe('small files in batches', () => {
  it('sends a batch of text files as one compressed pack', async () => {
    const items: BatchItem[] = [];
    for (let i = 0; i < 20; i++) {
      const path = await writeTemp(`small-${i}.txt`, Buffer.from(`note ${i}\n${'lorem ipsum dolor sit amet '.repeat(400)}`));
      const read = await readSmall(nodeReadable(path));
      items.push({ read, commit: { path: `/small-${i}.txt`, size: read.stat.size, blocks: read.blocks, baseRev: null, onConflict: 'fail' as const } });
    }
    const stats = new TransferStats();
    let results!: Awaited<ReturnType<typeof sendBatch>>['results'];
    const sent = await sentDuring(async () => void ({ results } = await sendBatch(api, items, stats)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(stats.blocksSent).toBe(20);
    expect(stats.blockWireBytesSent).toBeLessThan(stats.blockBytesSent / 20);
    expect(sent).toBeLessThan(stats.blockBytesSent / 5);
  });
});

describe('small files edited', () => {
  it('sends each edited small file as a delta against its previous version, in one entry pack', async () => {
    const cache = new DiskBlockCache(join(dir(), 'cache-small'));
    const text = (i: number, version: string) => Buffer.from(`{"name": "pkg-${i}", "version": "${version}",\n${'"x": "lorem ipsum dolor sit amet, consectetur",\n'.repeat(800)}}\n`);
    const itemsOf = async (version: string, prev?: { id: string; rev: number }[]) => {
      const items: BatchItem[] = [];
      for (let i = 0; i < 20; i++) {
        const read = await readSmall(nodeReadable(await writeTemp(`pkg-${i}.json`, text(i, version))));
        const p = prev?.[i];
        items.push({ read, commit: { path: `/pkg-${i}.json`, size: read.stat.size, blocks: read.blocks, baseRev: p ? p.rev : null, ...(p ? { fileId: p.id } : {}), onConflict: 'fail' as const } });
      }
      return items;
    };
    const first = await sendBatch(api, await itemsOf('1.0.0'), undefined, cache);
    const prev = first.results.map((r) => (r.ok ? { id: r.file.id, rev: r.file.rev } : expect.fail('commit failed')));
    const stats = new TransferStats();
    const next = await itemsOf('1.0.1', prev);
    let results!: Awaited<ReturnType<typeof sendBatch>>['results'];
    const sent = await sentDuring(async () => void ({ results } = await sendBatch(api, next, stats, cache)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(stats.deltasSent).toBe(20);
    // Each delta is a few dozen bytes; the whole pack compressed would be ~20 × 400.
    expect(stats.blockWireBytesSent).toBeLessThan(20 * 120);
    expect(sent).toBeLessThan(12 * 1024);
    for (const it of next) expect((await api.revisionBlocks(it.commit.path)).blocks).toEqual(it.read.blocks);
  });
});

describe('a tiny batch (issue 21)', () => {
  /** The api's batch calls, by name, while it is used. */
  function counted(a: CofferApi): string[] {
    const calls: string[] = [];
    for (const m of ['missingBlocks', 'putPack', 'putPackEncoded', 'commitBatch'] as const) {
      const f = (a[m] as (...x: unknown[]) => Promise<unknown>).bind(a);
      (a as unknown as Record<string, unknown>)[m] = (...x: unknown[]) => (calls.push(m), f(...x));
    }
    return calls;
  }
  async function tiny(prefix: string): Promise<BatchItem[]> {
    const items: BatchItem[] = [];
    for (let i = 0; i < 3; i++) {
      const read = await readSmall(nodeReadable(await writeTemp(`${prefix}-${i}.bin`, randomBytes(1024))));
      items.push({ read, commit: { path: `/${prefix}-${i}.bin`, size: read.stat.size, blocks: read.blocks, baseRev: null, onConflict: 'fail' as const } });
    }
    return items;
  }

  it('goes in one request, its blocks inline with the commit; an older server gets the three requests', async () => {
    const one = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    const calls = counted(one);
    const items = await tiny('inline');
    const stats = new TransferStats();
    const { results } = await sendBatch(one, items, stats);
    one.http.close();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toEqual(['commitBatch']);
    expect(stats.blocksSent).toBe(3);
    for (const it of items) expect(Buffer.from(await api.getBlock(it.read.blocks[0]!.hash)).equals(Buffer.from(it.read.bytes[0]!))).toBe(true);

    // An older server: a real HTTP hop whose batch commit knows no `pack` (400 invalid_request), forwarding the rest.
    const old = await olderServer(srv.url, api.http.token, (req) => {
      const json = req.headers['content-encoding'] === 'zstd' ? zstdDecompressSync(req.body) : req.body;
      const knowsPack = !(req.url.includes('/files/commit/batch') && 'pack' in JSON.parse(json.toString()));
      return knowsPack ? undefined : { status: 400, code: 'invalid_request', message: 'unrecognized key: "pack"' };
    });
    const oldApi = old.api;
    const oldCalls = counted(oldApi);
    try {
      const again = await sendBatch(oldApi, await tiny('old'));
      expect(again.results.every((r) => r.ok)).toBe(true);
      expect(oldCalls.filter((c) => !c.startsWith('putPack'))).toEqual(['commitBatch', 'missingBlocks', 'commitBatch']);
      expect(oldCalls.some((c) => c.startsWith('putPack'))).toBe(true);
      await sendBatch(oldApi, await tiny('old2'));
      expect(oldCalls.filter((c) => c === 'commitBatch')).toHaveLength(3); // refused once, not asked again
    } finally {
      await old.close();
    }
  });
});

/** Bytes this client wrote to its sockets while `f` ran (headers and bodies). */
async function sentDuring(f: () => Promise<unknown>): Promise<number> {
  const before = api.http.traffic().wireSent;
  await f();
  return api.http.traffic().wireSent - before;
}
