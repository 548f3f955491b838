/**
 * A small version's block list in its journal entry (issue 21): the receiving device fetches the
 * blocks at once, one request instead of two (the list, then the blocks), and the content is the
 * committed one, with the device's mtime.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePack } from '@coffer/protocol';
import { startTestServer, type TestServer } from '@coffer/server/testing/server';
import { CofferApi } from '../src/api/client.js';
import { sha256Hex } from '../src/transfer/blocks.js';
import { fetchBatch } from '../src/transfer/batch-download.js';
import { RemoteTree, applyChange } from '../src/sync/remote.js';

let srv: TestServer;
let api: CofferApi;

beforeAll(async () => {
  srv = await startTestServer('postgres');
  api = new CofferApi(srv.url, { insecureHttp: true }, (await srv.user()).token);
});
afterAll(async () => {
  api?.http.close();
  await srv?.close();
});

describe('block lists in the journal', () => {
  it('a small new file is fetched in one request from what its journal entry says', async () => {
    const bytes = randomBytes(1500);
    const block = { hash: sha256Hex(bytes), size: bytes.byteLength };
    const mtime = Date.parse('2024-05-06T07:08:09Z');
    const [r] = await api.commitBatch([{ path: '/n.bin', size: 1500, blocks: [block], baseRev: null, mtime }], encodePack([{ hash: block.hash, bytes }]));
    expect(r!.ok).toBe(true);
    const tree = new RemoteTree();
    for (const e of (await api.changes(0)).entries) applyChange(tree, { path: '/', id: '' }, e);
    const entry = tree.get('n.bin')!;
    expect(entry.listed).toEqual({ blocks: [block], modifiedAt: new Date(mtime).toISOString() });

    const calls: string[] = [];
    const counted = {
      blockLists: (f: { id: string; rev?: number }[]) => (calls.push('blockLists'), api.blockLists(f)),
      fetchBlocks: (h: string[]) => (calls.push('fetchBlocks'), api.fetchBlocks(h)),
    };
    const want = { id: entry.id, rev: entry.rev, size: entry.size, contentHash: entry.contentHash, ...(entry.listed ? { listed: entry.listed } : {}) };
    const [out] = await fetchBatch(counted, [want]);
    expect(calls).toEqual(['fetchBlocks']);
    expect(out!.ok && Buffer.concat(out!.content.data).equals(bytes)).toBe(true);
    expect(out!.ok && out!.content.modifiedAt).toBe(new Date(mtime).toISOString());

    // A list that does not match the content hash expected is not trusted: asked for.
    calls.length = 0;
    const [again] = await fetchBatch(counted, [{ ...want, listed: { ...want.listed!, blocks: [{ ...block, hash: sha256Hex(Buffer.from('other')) }] } }]);
    expect(calls).toEqual(['blockLists', 'fetchBlocks']);
    expect(again!.ok).toBe(true);
  });
});
