/**
 * A pass's downloads fetched ahead (sync/download-prefetch.ts), against an in-memory server of
 * block lists and blocks: batches start ahead of the pass within the memory budget, a file's
 * content is taken once and verified, what the pass went by is dropped, and a failed batch only
 * sends its files down the per-file path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { systemClock } from '../src/sync/clock.js';
import { LocalOps, TMP_DIR } from '../src/sync/local-ops.js';
import { nodeFs } from '../src/sync/node-fs.js';
import { contentHash, type BlockListResult } from '@coffer/protocol';
import { DownloadPrefetch, type Candidate } from '../src/sync/download-prefetch.js';
import type { BatchDownloadApi } from '../src/transfer/batch-download.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function world(n: number, size: number) {
  const data = Array.from({ length: n }, () => randomBytes(size));
  const files = data.map((d, i) => {
    const blocks = [{ hash: sha(d), size: d.byteLength }];
    return { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, rev: 1, size: d.byteLength, contentHash: contentHash(blocks, sha), blocks };
  });
  const byHash = new Map(data.map((d) => [sha(d), d]));
  const byId = new Map(files.map((f) => [f.id, f]));
  const calls = { lists: 0, fetches: 0 };
  let failLists = false;
  const api: BatchDownloadApi = {
    async blockLists(asks) {
      calls.lists++;
      if (failLists) throw new Error('network down');
      return asks.map((a): BlockListResult => {
        const f = byId.get(a.id)!;
        return { ok: true, blocks: { rev: 1, size: f.size, contentHash: f.contentHash, blocks: f.blocks } };
      });
    },
    async *fetchBlocks(hashes) {
      calls.fetches++;
      for (const h of hashes) yield { hash: h, bytes: byHash.get(h)! };
    },
  };
  const queue: Candidate[] = files.map((f, i) => ({ pos: i * 2, file: { id: f.id, rev: 1, size: f.size, contentHash: f.contentHash }, mtimeMs: 1_700_000_000_000 + i * 1000 }));
  return { data, files, api, calls, queue, fail: () => (failLists = true) };
}

let dirs: TempDir[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => d.remove()));
  dirs = [];
});

/** The part of a sync context the prefetch writes temp files with: a real folder. */
async function localSide() {
  const dir = await makeTempDir('coffer-prefetch-');
  dirs.push(dir);
  const fs = nodeFs(dir.path);
  const local = new LocalOps(fs, systemClock, 'test', () => undefined);
  const temps = async () => (await readdir(join(dir.path, TMP_DIR)).catch(() => [])).filter((n) => n.endsWith('.part'));
  return { ctx: { fs, local }, root: dir.path, temps };
}

const contentOf = async (root: string, a: { temp?: string; data: Uint8Array[] } | undefined) =>
  a?.temp ? await readFile(join(root, a.temp)) : Buffer.concat(a!.data);

describe('downloads fetched ahead', () => {
  it('fetches batches ahead within the budget; a file is taken once, verified; what the pass went by is dropped', async () => {
    // 1,200 files of 64 KiB: batches of 8 MiB (128 files); 32 MiB ahead is 4 batches, 3 in flight.
    const w = world(1200, 64 * 1024);
    const l = await localSide();
    const p = new DownloadPrefetch(l.ctx, w.api, w.queue);
    p.reach(0);
    expect(w.calls.lists).toBe(3);
    const first = await p.take(w.files[0]!.id, 1);
    // Written ahead into a finished temp file, its time the journal's.
    expect(first!.temp).toBeDefined();
    expect((await contentOf(l.root, first)).equals(w.data[0]!)).toBe(true);
    expect(first!.stat!.mtimeMs).toBe(1_700_000_000_000);
    expect(await p.take(w.files[0]!.id, 1)).toBeUndefined(); // taken once
    expect(await p.take(w.files[1]!.id, 2)).toBeUndefined(); // not that revision
    await new Promise((r) => setTimeout(r, 10));
    expect(w.calls.lists).toBeLessThanOrEqual(5); // the budget holds the rest back
    // The pass goes past most files without taking them (a step each): they are dropped and the rest comes.
    for (let pos = 1; pos <= 2 * 1100; pos++) {
      p.reach(pos);
      await new Promise((r) => setImmediate(r));
    }
    const last = await p.take(w.files[1150]!.id, 1);
    expect((await contentOf(l.root, last)).equals(w.data[1150]!)).toBe(true);
    expect(w.calls.lists).toBe(Math.ceil(1200 / 128));
    // The pass is over: the temps of files it went by or never reached are gone; the taken ones are the caller's.
    await p.close();
    expect((await l.temps()).sort()).toEqual([first!.temp!, last!.temp!].map((t) => t.split('/').at(-1)).sort());
  });

  it('a batch that fails sends its files down the per-file path', async () => {
    const w = world(10, 100);
    w.fail();
    const l = await localSide();
    const p = new DownloadPrefetch(l.ctx, w.api, w.queue);
    p.reach(0);
    expect(await p.take(w.files[3]!.id, 1)).toBeUndefined();
    await p.close();
    expect(await l.temps()).toEqual([]);
  });
});
