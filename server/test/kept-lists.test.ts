/**
 * Kept questions (issue 21, blocks/kept-lists.ts): POST /blocks/missing?keep=1 answers a list id,
 * and a commit names it (`blockList`) instead of listing the blocks. A list is found only by the
 * namespace that asked, only for a while, and only with a size for each of its blocks; a list the
 * server no longer has is 409 `block_list_unknown`, committing nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeptLists, MAX_KEPT_LIST } from '../src/blocks/kept-lists.js';
import { SyncClient } from './fixtures/sync-client.js';
import { useTestServer } from './fixtures/server.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('KeptLists', () => {
  it('finds a list for the namespace that kept it, until it expires or the oldest are pushed out', () => {
    let now = 1000;
    const kept = new KeptLists(60_000, 5, () => now);
    const a = kept.keep('ns-a', ['a1', 'a2'])!;
    expect(a).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(kept.find('ns-a', a)).toEqual(['a1', 'a2']);
    expect(kept.find('ns-b', a)).toBeUndefined();
    expect(kept.find('ns-a', 'AAAAAAAAAAAAAAAA')).toBeUndefined();
    const b = kept.keep('ns-a', ['b1', 'b2', 'b3'])!;
    const c = kept.keep('ns-a', ['c1'])!; // 6 hashes in all: past the cap, the oldest list goes
    expect(kept.find('ns-a', a)).toBeUndefined();
    expect(kept.find('ns-a', b)).toEqual(['b1', 'b2', 'b3']);
    now += 60_000;
    expect(kept.find('ns-a', c)).toBeUndefined();
    expect(kept.size).toBe(1);
    kept.clear();
    expect(kept.size).toBe(0);
    expect(new KeptLists().keep('ns-a', Array.from({ length: MAX_KEPT_LIST + 1 }, (_, i) => String(i)))).toBeUndefined();
  });
});

describe('commits naming a kept question', () => {
  const srv = useTestServer('pglite');

  it('commit the blocks asked about, in order, with the sizes given; a forgotten or foreign list commits nothing', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const blocks = [randomBytes(3000), randomBytes(5000), randomBytes(7000)];
    const hashes = blocks.map(sha256);
    const asked = await c.send('POST', '/api/v1/blocks/missing?answer=bits&keep=1', { hashes: hashes.map((h) => h.toUpperCase()) });
    expect(asked.status).toBe(200);
    const list = asked.json().list as string;
    expect(list).toMatch(/^[A-Za-z0-9_-]{16}$/);
    // Not asked to keep: no list.
    expect((await c.send('POST', '/api/v1/blocks/missing?answer=bits', { hashes })).json()).not.toHaveProperty('list');
    for (const b of blocks) expect((await c.send('PUT', `/api/v1/blocks/${sha256(b)}`, b)).status).toBe(201);
    const size = blocks.reduce((n, b) => n + b.length, 0);
    const sizes = blocks.map((b) => b.length);
    const commit = (body: Record<string, unknown>, client = c) => client.send('POST', '/api/v1/files/commit', { path: '/kept.bin', size, baseRev: null, ...body });

    // Another user with the id: not theirs.
    const other = new SyncClient(srv.url, (await srv.user()).auth);
    const foreign = await commit({ blockList: { id: list, sizes } }, other);
    expect(foreign.status).toBe(409);
    expect(foreign.json().error.code).toBe('block_list_unknown');
    // A size short, both forms, neither, a malformed id: 400, nothing committed.
    const short = await commit({ blockList: { id: list, sizes: sizes.slice(1) } });
    expect(short.status).toBe(400);
    expect(short.json().error).toMatchObject({ code: 'block_list_mismatch', details: { blocks: 3, sizes: 2 } });
    expect((await commit({ blockList: { id: list, sizes }, blocks: hashes.map((hash, i) => ({ hash, size: sizes[i] })) })).status).toBe(400);
    expect((await commit({})).status).toBe(400);
    expect((await commit({ blockList: { id: 'not an id', sizes } })).status).toBe(400);
    expect((await c.send('GET', '/api/v1/metadata?path=/kept.bin')).status).toBe(404);

    const done = await commit({ blockList: { id: list, sizes } });
    expect(done.status).toBe(201);
    expect(done.json()).toMatchObject({ path: '/kept.bin', rev: 1, size });
    const listed = await c.send('GET', '/api/v1/revisions/blocks?path=/kept.bin&rev=1');
    expect(listed.json().blocks).toEqual(hashes.map((hash, i) => ({ hash, size: sizes[i] })));
  });
});
