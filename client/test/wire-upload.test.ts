/**
 * Blocks on the wire (issue 21): a 1-byte edit of a multi-MiB file uploads as a zstd delta
 * against the previous version's block (bytes counted on the client's sockets), a compressible
 * new file goes compressed, and with encodings off the old raw route still works.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNKER_PARAMETERS, MAX_PACK_BYTES, entryPackBytes } from '@coffer/protocol';
import { forgetKeptLists } from '@coffer/server/testing/kept-lists';
import { seededBytes } from '@coffer/server/testing/data';
import { startTestServer, type TestServer } from '@coffer/server/testing/server';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { CofferApi } from '../src/api/client.js';
import { DiskBlockCache } from '../src/transfer/block-cache.js';
import { blockListOf } from '../src/transfer/blocks.js';
import { TransferStats } from '../src/transfer/stats.js';
import { uploadFile } from '../src/transfer/upload.js';
import { BlockSender } from '../src/transfer/wire-send.js';
import { nodeReadable } from '../src/transfer/file-handle.js';
import { olderServer } from './older-server.js';

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
let srv: TestServer;
let api: CofferApi;
const dir = useTempDir('coffer-wire-');

beforeAll(async () => {
  srv = await startTestServer('postgres');
  api = new CofferApi(srv.url, { insecureHttp: true }, (await srv.user()).token);
});
afterAll(async () => {
  api?.http.close();
  await srv?.close();
});

/** Bytes this client wrote to its sockets while `f` ran (headers and bodies). */
async function sentDuring(f: () => Promise<unknown>): Promise<number> {
  const before = api.http.traffic().wireSent;
  await f();
  return api.http.traffic().wireSent - before;
}

describe('uploads on the wire', () => {
  it('sends a 1-byte edit of an 8 MiB file as a delta of a few hundred bytes', async () => {
    const local = join(dir(), 'big.bin');
    const cache = new DiskBlockCache(join(dir(), 'cache'));
    const v1 = seededBytes('wire-upload-big', 8 * MiB); // incompressible: the first upload goes raw
    await writeFile(local, v1);
    const first = await uploadFile(api, local, '/big.bin', { baseRev: null, wire: { cache } });
    // Every block of the file, and its block list (36 bytes a block).
    const listed = await blockListOf(local);
    expect(await cache.size()).toBe(v1.length + 36 * listed.length);
    expect(await cache.getList(first.contentHash)).toEqual(listed);

    const v2 = Buffer.from(v1);
    v2[5 * MiB + 12_345]! ^= 0x01;
    await writeFile(local, v2);
    const stats = new TransferStats();
    let asked = 0;
    let up!: Awaited<ReturnType<typeof uploadFile>>;
    const sent = await sentDuring(async () => {
      up = await uploadFile(api, local, '/big.bin', {
        baseRev: first.answer.rev,
        fileId: first.answer.id,
        stats,
        // The list cached under the content hash: the server is not asked for it.
        wire: { cache, baseContentHash: first.contentHash, baseBlocks: async () => (asked++, (await api.revisionBlocks('/big.bin', first.answer.rev)).blocks) },
      });
    });
    expect(asked).toBe(0);
    expect(stats.blocksSent).toBe(1);
    expect(stats.deltasSent).toBe(1);
    expect(stats.blockWireBytesSent).toBeLessThan(2048);
    // Everything on the wire for the edit (block lists, the delta, the commit): far less than the smallest block.
    expect(sent).toBeLessThan(CHUNKER_PARAMETERS.minSize / 8);
    expect(up.answer.rev).toBe(first.answer.rev + 1);
    // The server rebuilt exactly the new bytes.
    const stored = (await api.revisionBlocks('/big.bin')).blocks;
    expect(stored).toEqual(await blockListOf(local));
    const before = new Set((await api.revisionBlocks('/big.bin', first.answer.rev)).blocks.map((b) => b.hash));
    expect(stored.filter((b) => !before.has(b.hash))).toHaveLength(1);
  });

  it('commits a file asked about in one question by naming the question; lists the blocks when the server forgot it', async () => {
    const bytes = seededBytes('wire-upload-kept', 6 * MiB);
    const local = await writeTemp('kept.bin', bytes);
    const blocks = await blockListOf(local);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const commits: Record<string, unknown>[] = [];
    const stream = api.http.stream.bind(api.http);
    api.http.stream = (method, path, o) => {
      if (path.endsWith('/files/commit')) commits.push(o?.json as Record<string, unknown>);
      return stream(method, path, o);
    };
    try {
      const named = await uploadFile(api, local, '/kept.bin', { baseRev: null });
      expect(commits).toHaveLength(1);
      expect(commits[0]).not.toHaveProperty('blocks');
      expect(commits[0]!.blockList).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/), sizes: blocks.map((b) => b.size) });
      expect((await api.revisionBlocks('/kept.bin', named.answer.rev)).blocks).toEqual(blocks);

      // Forgotten between the question and the commit (a restart, another server process): 409, then the blocks listed.
      commits.length = 0;
      const next = Buffer.concat([bytes, Buffer.from('more')]);
      await writeFile(local, next);
      const listed = await uploadFile(api, local, '/kept.bin', { baseRev: named.answer.rev, fileId: named.answer.id, beforeCommit: async () => forgetKeptLists() });
      expect(commits.map((c) => Object.keys(c).includes('blocks'))).toEqual([false, true]);
      expect(listed.answer.rev).toBe(named.answer.rev + 1);
      expect((await api.revisionBlocks('/kept.bin', listed.answer.rev)).blocks).toEqual(await blockListOf(local));
    } finally {
      api.http.stream = stream;
    }
  });

  it('asks once about a file of exactly the bytes it holds unasked (24 MiB), and finishes', async () => {
    // The read waited for room that only the question at its end could make: a deadlock (CI, cli-tree).
    const local = join(dir(), 'ahead.bin');
    await writeFile(local, seededBytes('wire-upload-ahead', 24 * MiB));
    const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    let asked = 0;
    const ask = watched.missingBlocks.bind(watched);
    watched.missingBlocks = (hashes) => {
      asked++;
      return ask(hashes);
    };
    const up = await uploadFile(watched, local, '/ahead.bin', { baseRev: null, wire: { cache: new DiskBlockCache(join(dir(), 'cache-ahead')) } });
    expect(asked).toBe(1);
    expect((await api.revisionBlocks('/ahead.bin')).blocks).toEqual(await blockListOf(local));
    expect(up.answer.size).toBe(24 * MiB);
    watched.http.close();
  });

  it("sends a file's changed blocks in entry packs: a few requests, not one per block", async () => {
    const local = join(dir(), 'many.bin');
    const cache = new DiskBlockCache(join(dir(), 'cache-many'));
    await writeFile(local, seededBytes('wire-upload-many-1', 12 * MiB));
    const first = await uploadFile(api, local, '/many.bin', { baseRev: null, wire: { cache } });
    await writeFile(local, seededBytes('wire-upload-many-2', 12 * MiB)); // every block new
    const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    const calls: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    for (const name of ['putPackEntries', 'putBlockEncoded', 'putBlock', 'missingBlocks'] as const) {
      const f = (watched[name] as (...a: unknown[]) => Promise<unknown>).bind(watched);
      (watched as unknown as Record<string, unknown>)[name] = async (...a: unknown[]) => {
        calls.push(name);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          return await f(...a);
        } finally {
          inFlight--;
        }
      };
    }
    const stats = new TransferStats();
    await uploadFile(watched, local, '/many.bin', {
      baseRev: first.answer.rev,
      fileId: first.answer.id,
      stats,
      wire: { cache, baseBlocks: async () => (await watched.revisionBlocks('/many.bin', first.answer.rev)).blocks },
    });
    const blocks = await blockListOf(local);
    expect(stats.blocksSent).toBe(blocks.length);
    expect(blocks.length).toBeGreaterThan(4);
    // 12 MiB (at most AHEAD_BYTES): asked about once, whole, then sent in one pack (at most
    // MAX_PACK_BYTES); one request at a time: one connection, not one a request, none per block.
    expect(calls).toEqual(['missingBlocks', 'putPackEntries']);
    expect(mostInFlight).toBe(1);
    expect((await api.revisionBlocks('/many.bin')).blocks).toEqual(blocks);
    watched.http.close();
  });

  it('keeps a pack within MAX_PACK_BYTES on the wire, its framing included', async () => {
    // Sixteen raw 1 MiB blocks: MAX_PACK_BYTES of plaintext exactly, one entry header too many for one pack.
    const blocks = Array.from({ length: 16 }, (_, i) => seededBytes(`wire-upload-raw-${i}`, MiB));
    const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    const bodies: number[] = [];
    const f = watched.putPackEntries.bind(watched);
    watched.putPackEntries = (entries) => (bodies.push(entryPackBytes(entries)), f(entries));
    const sender = new BlockSender(watched, {}, new TransferStats());
    for (const [i, b] of blocks.entries()) await sender.add(sha256(b), b, i * MiB);
    await sender.finish();
    expect(bodies.length).toBe(2);
    for (const n of bodies) expect(n).toBeLessThanOrEqual(MAX_PACK_BYTES);
    expect(await api.missingBlocks(blocks.map(sha256))).toEqual(new Set());
    watched.http.close();
  });

  it("frees the memory of blocks given to it once they are on the server, and no one else's", async () => {
    // Three packs' worth of 1 MiB blocks, every other one given away (as the upload gives its chunks).
    const blocks = Array.from({ length: 40 }, (_, i) => seededBytes(`wire-upload-owned-${i}`, MiB));
    const hashes = blocks.map(sha256);
    const sender = new BlockSender(api, {}, new TransferStats());
    const freedWhenQueued: number[] = [];
    for (const [i, b] of blocks.entries()) {
      await sender.add(hashes[i]!, b, i * MiB, i % 2 === 0);
      freedWhenQueued.push(blocks.filter((x) => x.byteLength === 0).length);
    }
    await sender.finish();
    // Freed a pack at a time as each reached the server, not all at the end, nor before.
    expect(freedWhenQueued[0]).toBe(0);
    expect(freedWhenQueued.at(-1)).toBeGreaterThan(0);
    for (const [i, b] of blocks.entries()) expect(b.byteLength).toBe(i % 2 === 0 ? 0 : MiB);
    expect(await api.missingBlocks(hashes)).toEqual(new Set());
    // What the server stored is what was sent, not the freed (empty) memory: a file of them reads back.
    await api.commit({ path: '/owned.bin', size: 40 * MiB, blocks: hashes.map((hash) => ({ hash, size: MiB })), baseRev: null, mtime: Date.now() });
    for (const i of [0, 20, 38]) expect(sha256(await api.getBlock(hashes[i]!))).toBe(hashes[i]);
  });

  it('reads a file once, sending its first blocks before the read is done', async () => {
    const local = join(dir(), 'once.bin');
    await writeFile(local, seededBytes('wire-upload-once', 40 * MiB));
    let read = 0;
    let readWhenFirstSent: number | undefined;
    const counted = {
      open: async () => {
        const h = await nodeReadable(local).open();
        return { ...h, read: async (buf: Uint8Array, offset: number, length: number, position: number) => {
          const n = await h.read(buf, offset, length, position);
          read += n;
          return n;
        } };
      },
    };
    const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    const put = watched.putPackEntries.bind(watched);
    watched.putPackEntries = (body) => ((readWhenFirstSent ??= read), put(body));
    const up = await uploadFile(watched, counted, '/once.bin', { baseRev: null });
    expect(read).toBe(40 * MiB);
    // The read runs ahead of the first question by at most ~2 + 16 MiB (the bytes waiting to be asked about), not to the end.
    expect(readWhenFirstSent).toBeLessThan(30 * MiB);
    expect((await api.revisionBlocks('/once.bin')).contentHash).toBe(up.contentHash);
    watched.http.close();
  });

  it("keeps two full packs under way for a big file and a question goes beside them; one at a time otherwise", async () => {
    for (const lanes of [1, 2]) {
      const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
      let under = 0;
      let most = 0;
      const put = watched.putPackEntries.bind(watched);
      watched.putPackEntries = async (entries) => {
        most = Math.max(most, ++under);
        try {
          await new Promise((r) => setTimeout(r, 40)); // a server storing a pack takes its time
          return await put(entries);
        } finally {
          under--;
        }
      };
      const sender = new BlockSender(watched, {}, new TransferStats());
      // Packs of four 256 KiB blocks: 24 blocks, six full packs.
      sender.packBytes = MiB;
      sender.lanes = lanes;
      const blocks = Array.from({ length: 24 }, (_, i) => seededBytes(`wire-upload-lanes-${lanes}-${i}`, MiB / 4));
      let question: Promise<number> | undefined;
      for (const [i, b] of blocks.entries()) {
        await sender.add(sha256(b), b, (i * MiB) / 4);
        // Asked while a full pack is on the wire: how many packs are beside it when it runs.
        if (i === 13) question = sender.inLane(async () => under);
      }
      await sender.finish();
      expect(most, `lanes ${lanes}`).toBe(lanes);
      if (lanes === 2) expect(await question).toBeGreaterThan(0);
      else expect(await question).toBe(0);
      expect((await api.missingBlocks(blocks.map(sha256))).size).toBe(0);
      watched.http.close();
    }
  });

  it('asks about a big new file in a few questions, not one per block or two', async () => {
    // 64 MiB: four full packs, so two lanes, where a question goes at once beside a pack on the wire.
    const local = join(dir(), 'big-new.bin');
    await writeFile(local, seededBytes('wire-upload-big-new', 64 * MiB));
    const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    const asked: number[] = [];
    const missing = watched.missingBlocks.bind(watched);
    watched.missingBlocks = async (hashes) => (asked.push(hashes.length), missing(hashes));
    const stats = new TransferStats();
    await uploadFile(watched, local, '/big-new.bin', { baseRev: null, stats, wire: { cache: new DiskBlockCache(join(dir(), 'cache-big-new')) } });
    const blocks = await blockListOf(local);
    expect(stats.blocksSent).toBe(blocks.length);
    // The first ~2 MiB, then ~8 MiB at a time (or the rest): at most 1 + 62 / 8 + 1.
    expect(asked.length).toBeLessThanOrEqual(10);
    expect(asked.reduce((a, b) => a + b, 0)).toBe(new Set(blocks.map((b) => b.hash)).size);
    expect((await api.revisionBlocks('/big-new.bin')).blocks).toEqual(blocks);
    watched.http.close();
  });

  it('compresses a new compressible file, and sends raw blocks when encodings are off', async () => {
    const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(60_000)); // 2.6 MiB
    await writeFile(join(dir(), 'a.txt'), text);
    const zipped = new TransferStats();
    const sentZ = await sentDuring(() => uploadFile(api, join(dir(), 'a.txt'), '/a.txt', { baseRev: null, stats: zipped }));
    expect(zipped.blockBytesSent).toBe(text.length);
    expect(sentZ).toBeLessThan(text.length / 50);

    const other = Buffer.concat([text, Buffer.from('different tail')]);
    await writeFile(join(dir(), 'b.txt'), other);
    const raw = new TransferStats();
    const sentRaw = await sentDuring(() => uploadFile(api, join(dir(), 'b.txt'), '/b.txt', { baseRev: null, stats: raw, wire: { raw: true } }));
    expect(raw.blockWireBytesSent).toBe(raw.blockBytesSent);
    expect(sentRaw).toBeGreaterThan(raw.blockBytesSent);
    expect((await api.revisionBlocks('/b.txt')).blocks).toEqual(await blockListOf(join(dir(), 'b.txt')));
  });

  it('falls back when a base is not readable on the server, and on a server without the encoded route', async () => {
    const cache = new DiskBlockCache(join(dir(), 'cache-fallback'));
    const text = Buffer.from(randomBytes(100_000).toString('base64').repeat(4)); // compressible, unlike anything stored
    await writeFile(join(dir(), 'c.txt'), text);
    // The cache holds a block the server never had: named as the base, it is refused (404 base_not_found).
    const stranger = Buffer.concat([text.subarray(0, 200_000), Buffer.from('local only')]);
    const strangerHash = (await blockListOf(await writeTemp('stranger.bin', stranger)))[0]!.hash;
    await cache.put(strangerHash, stranger);
    const stats = new TransferStats();
    const refused: string[] = [];
    const watched = new CofferApi(srv.url, { insecureHttp: true }, api.http.token);
    const put = watched.putBlockEncoded.bind(watched);
    watched.putBlockEncoded = (hash, body, q) => put(hash, body, q).catch((err: { code: string }) => (refused.push(`${q.encoding} ${err.code}`), Promise.reject(err)));
    const pack = watched.putPackEntries.bind(watched);
    watched.putPackEntries = (body) => pack(body).catch((err: { code: string }) => (refused.push(`pack ${err.code}`), Promise.reject(err)));
    await uploadFile(watched, join(dir(), 'c.txt'), '/c.txt', { baseRev: null, stats, wire: { cache, baseBlocks: async () => [{ hash: strangerHash, size: stranger.length }] } });
    watched.http.close();
    // The entry pack is refused whole, then each block goes on its own: the delta refused too, then zstd.
    expect(refused.slice(0, 2)).toEqual(['pack base_not_found', 'zstd-delta base_not_found']);
    expect(stats.deltasSent).toBe(0);
    expect(stats.blocksSent).toBeGreaterThan(0);
    expect(stats.blockWireBytesSent).toBeLessThan(stats.blockBytesSent); // sent compressed instead
    expect((await api.revisionBlocks('/c.txt')).blocks).toEqual(await blockListOf(join(dir(), 'c.txt')));

    // An older server: a real HTTP hop in front that knows nothing of /encoded (404), forwarding the rest.
    const old = await olderServer(srv.url, (await srv.user()).token, (req) =>
      req.url.includes('/encoded') || req.url.includes('/pack/entries') ? { status: 404, code: 'not_found', message: 'no such route' } : undefined,
    );
    const oldApi = old.api;
    try {
      const raw = new TransferStats();
      await uploadFile(oldApi, join(dir(), 'c.txt'), '/c.txt', { baseRev: null, stats: raw });
      expect(raw.blocksSent).toBe((await blockListOf(join(dir(), 'c.txt'))).length);
      expect(raw.blockWireBytesSent).toBe(raw.blockBytesSent); // raw, on the old route
      expect((await oldApi.revisionBlocks('/c.txt')).blocks).toEqual(await blockListOf(join(dir(), 'c.txt')));
    } finally {
      await old.close();
    }
  });
});

async function writeTemp(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir(), name);
  await writeFile(path, bytes);
  return path;
}
