/**
 * Blocks downloaded encoded (issue 21): a 1-byte edit of a multi-MiB file comes down as a delta
 * against the local file's old block (bytes counted on the client's sockets); the decoder is
 * bounded and checks the hash; an older server without the route is answered with plain GETs.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNKER_PARAMETERS } from '@coffer/protocol';
import { seededBytes } from '@coffer/server/testing/data';
import { startTestServer, type TestServer } from '@coffer/server/testing/server';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { CofferApi } from '../src/api/client.js';
import { ApiError } from '../src/api/errors.js';
import { assembleFile } from '../src/transfer/assemble.js';
import { sha256Hex } from '../src/transfer/blocks.js';
import { uploadFile } from '../src/transfer/upload.js';
import { BlockFetcher, decodeFetched, EncodedBlockError } from '../src/transfer/wire-fetch.js';

const MiB = 1024 * 1024;
let srv: TestServer;
let api: CofferApi;
const dir = useTempDir('coffer-wire-dl-');

beforeAll(async () => {
  srv = await startTestServer('postgres');
  api = new CofferApi(srv.url, { insecureHttp: true }, (await srv.user()).token);
});
afterAll(async () => {
  api?.http.close();
  await srv?.close();
});

describe('downloads on the wire', () => {
  it('fetches a 1-byte edit of an 8 MiB file as a delta against the local old block', async () => {
    const src = join(dir(), 'src.bin');
    const v1 = seededBytes('wire-download-big', 8 * MiB);
    await writeFile(src, v1);
    const first = await uploadFile(api, src, '/big.bin', { baseRev: null });
    const local = join(dir(), 'local.bin');
    await copyFile(src, local);
    const v2 = Buffer.from(v1);
    v2[5 * MiB + 12_345]! ^= 0x01;
    await writeFile(src, v2);
    await uploadFile(api, src, '/big.bin', { baseRev: first.answer.rev, fileId: first.answer.id });

    const blocks = (await api.revisionBlocks('/big.bin')).blocks;
    const before = api.http.traffic().wireReceived;
    await assembleFile(api, blocks, local, { reuseFrom: local });
    const received = api.http.traffic().wireReceived - before;
    expect(Buffer.compare(await readFile(local), v2)).toBe(0);
    // The changed block (≥ the chunker's minimum) came as a delta of a few hundred bytes.
    expect(received).toBeLessThan(CHUNKER_PARAMETERS.minSize / 16);
  });

  it('fetches a new 20 MiB file in packs, a few requests ahead, and a block left out alone', async () => {
    const v = seededBytes('wire-download-groups', 20 * MiB);
    await writeFile(join(dir(), 'g.bin'), v);
    await uploadFile(api, join(dir(), 'g.bin'), '/g.bin', { baseRev: null });
    const blocks = (await api.revisionBlocks('/g.bin')).blocks;
    expect(blocks.length).toBeGreaterThan(8);
    const calls: string[] = [];
    let underWay = 0;
    let mostUnderWay = 0;
    const watched = {
      fetchBlocks: async function* (hashes: string[]) {
        calls.push(`fetch ${hashes.length}`);
        mostUnderWay = Math.max(mostUnderWay, ++underWay);
        try {
          // The server leaves the last block out (as one no longer readable): it comes alone.
          yield* api.fetchBlocks(hashes.filter((h) => h !== blocks.at(-1)!.hash));
        } finally {
          underWay--;
        }
      },
      getBlockEncoded: (hash: string, bases?: readonly string[]) => (calls.push('get'), api.getBlockEncoded(hash, bases)),
      getBlock: (hash: string) => (calls.push('get'), api.getBlock(hash)),
    };
    await assembleFile(watched, blocks, join(dir(), 'g-local.bin'));
    expect(Buffer.compare(await readFile(join(dir(), 'g-local.bin')), v)).toBe(0);
    // 20 MiB in groups of about 8 MiB: three requests, more than one under way; one GET, for the block left out.
    expect(calls.filter((c) => c.startsWith('fetch'))).toHaveLength(3);
    expect(calls.filter((c) => c === 'get')).toHaveLength(1);
    expect(mostUnderWay).toBeGreaterThan(1);
  });

  it('frees each block fetched in a pack once written at its last place; a repeated block is written whole each time', async () => {
    // The same 3 MiB three times: its blocks repeat in the list (content-defined cuts line up again).
    const part = seededBytes('wire-download-repeats', 3 * MiB);
    const v = Buffer.concat([part, part, part]);
    await writeFile(join(dir(), 'r.bin'), v);
    await uploadFile(api, join(dir(), 'r.bin'), '/r.bin', { baseRev: null });
    const blocks = (await api.revisionBlocks('/r.bin')).blocks;
    expect(new Set(blocks.map((b) => b.hash)).size).toBeLessThan(blocks.length - 2);
    const handedOut: Uint8Array[] = [];
    const watched = {
      fetchBlocks: async function* (hashes: string[]) {
        for await (const b of api.fetchBlocks(hashes)) yield (handedOut.push(b.bytes), b);
      },
      getBlockEncoded: (hash: string, bases?: readonly string[]) => api.getBlockEncoded(hash, bases),
      getBlock: (hash: string) => api.getBlock(hash),
    };
    await assembleFile(watched, blocks, join(dir(), 'r-local.bin'));
    expect(Buffer.compare(await readFile(join(dir(), 'r-local.bin')), v)).toBe(0);
    expect(handedOut.length).toBe(new Set(blocks.map((b) => b.hash)).size);
    // Freed (detached), not left for V8's next collection for external memory.
    expect(handedOut.every((b) => b.byteLength === 0)).toBe(true);
  });

  it("fetches the part of a file past the local copy's end in packs (a copy seen half-written, then whole)", async () => {
    const v = seededBytes('wire-download-grown', 20 * MiB);
    await writeFile(join(dir(), 'grown.bin'), v);
    await uploadFile(api, join(dir(), 'grown.bin'), '/grown.bin', { baseRev: null });
    const blocks = (await api.revisionBlocks('/grown.bin')).blocks;
    const local = join(dir(), 'grown-local.bin');
    await writeFile(local, v.subarray(0, 3 * MiB)); // what was synced of it while it was being written
    const calls: string[] = [];
    const watched = {
      fetchBlocks: (hashes: string[]) => (calls.push(`fetch ${hashes.length}`), api.fetchBlocks(hashes)),
      getBlockEncoded: (hash: string, bases?: readonly string[]) => (calls.push('get'), api.getBlockEncoded(hash, bases)),
      getBlock: (hash: string) => (calls.push('get'), api.getBlock(hash)),
    };
    await assembleFile(watched, blocks, local, { reuseFrom: local });
    expect(Buffer.compare(await readFile(local), v)).toBe(0);
    // The local 3 MiB are reused (but their last, cut short); the block across the old end
    // comes alone, as a delta where it can; the ~17 MiB after it in two or three packs, not a GET each.
    const fetched = calls.filter((c) => c.startsWith('fetch'));
    expect(fetched.length).toBeGreaterThanOrEqual(2);
    expect(fetched.length).toBeLessThanOrEqual(3);
    expect(calls.filter((c) => c === 'get').length).toBeLessThanOrEqual(4);
  });

  it('decodes within the expected size and refuses a wrong hash or unknown encoding', async () => {
    const block = Buffer.from('coffer '.repeat(10_000));
    const hash = sha256Hex(block);
    const body = zlib.zstdCompressSync(block);
    expect(Buffer.compare(await decodeFetched(hash, block.length, { encoding: 'zstd', size: block.length, body }), block)).toBe(0);
    const bomb = zlib.zstdCompressSync(Buffer.alloc(64 * MiB));
    await expect(decodeFetched(hash, block.length, { encoding: 'zstd', size: block.length, body: bomb })).rejects.toThrow(EncodedBlockError);
    await expect(decodeFetched(sha256Hex(Buffer.from('x')), block.length, { encoding: 'zstd', size: block.length, body })).rejects.toThrow(/hash/);
    await expect(decodeFetched(hash, block.length, { encoding: 'zstd', size: block.length + 1, body })).rejects.toThrow(EncodedBlockError);
    await expect(decodeFetched(hash, block.length, { encoding: 'brotli', size: block.length, body })).rejects.toThrow(/unknown encoding/);
    await expect(decodeFetched(hash, block.length, { encoding: 'zstd-delta', size: block.length, body })).rejects.toThrow(/without bases/);
  });

  it('falls back to plain GETs when the server has no encoded route (an older server)', async () => {
    const block = Buffer.from('an older server');
    let encodedAsks = 0;
    let plainAsks = 0;
    const older = {
      getBlockEncoded: async () => {
        encodedAsks++;
        throw new ApiError(404, 'not_found', 'no such route');
      },
      getBlock: async () => {
        plainAsks++;
        return block;
      },
    };
    const f = new BlockFetcher(older);
    expect(await f.fetch(sha256Hex(block), block.length)).toBe(block);
    expect(await f.fetch(sha256Hex(block), block.length)).toBe(block);
    expect([encodedAsks, plainAsks]).toEqual([1, 2]);
  });
});
