/**
 * GET /blocks/{sha256}/encoded (issue 21): a block downloaded as a zstd delta against a block the
 * caller names and may read, compressed, or raw when that is smaller; a base the caller may not
 * read is 404 base_not_found, and the answer always decodes to the block.
 */
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './fixtures/server.js';
import { SyncClient, sha256 } from './fixtures/sync-client.js';

const unzstd = (body: Uint8Array, dictionary?: Uint8Array) =>
  (zlib.zstdDecompressSync as (b: Uint8Array, o: object) => Buffer)(body, dictionary ? { dictionary } : {});

describe('encoded block downloads (postgres)', () => {
  const srv = useTestServer('postgres');

  it('answers a delta against a named base, zstd without one, raw when encoding does not pay', async () => {
    const u = await srv.user();
    const c = new SyncClient(srv.url, u.auth);
    const base = randomBytes(200_000); // one block
    const v1 = await c.push('/f.bin', base);
    expect(v1.commit.status).toBe(201);
    const next = Buffer.from(base);
    next[99_999]! ^= 0xff;
    expect((await c.push('/f.bin', next, { baseRev: 1, fileId: v1.commit.json().id })).commit.status).toBe(201);

    const delta = await c.send('GET', `/api/v1/blocks/${sha256(next)}/encoded?base=${sha256(base)}`);
    expect(delta.status).toBe(200);
    expect(delta.headers['x-coffer-encoding']).toBe('zstd-delta');
    expect(delta.headers['x-coffer-block-size']).toBe(String(next.length));
    expect(delta.body.length).toBeLessThan(1024);
    expect(sha256(unzstd(delta.body, base))).toBe(sha256(next));

    // Random bytes without a base: raw (compression would not pay).
    const raw = await c.send('GET', `/api/v1/blocks/${sha256(next)}/encoded`);
    expect(raw.headers['x-coffer-encoding']).toBe('identity');
    expect(Buffer.compare(raw.body, next)).toBe(0);

    const text = Buffer.from('coffer text '.repeat(20_000));
    expect((await c.push('/t.txt', text)).commit.status).toBe(201);
    const z = await c.send('GET', `/api/v1/blocks/${sha256(text)}/encoded`);
    expect(z.headers['x-coffer-encoding']).toBe('zstd');
    expect(z.body.length).toBeLessThan(text.length / 50);
    expect(Buffer.compare(unzstd(z.body), text)).toBe(0);
  });

  it("is 404 for a base or a block the caller may not read, 400 for a bad base list", async () => {
    const ua = await srv.user();
    const ub = await srv.user();
    const a = new SyncClient(srv.url, ua.auth);
    const b = new SyncClient(srv.url, ub.auth);
    const secret = randomBytes(150_000);
    expect((await a.push('/secret.bin', secret)).commit.status).toBe(201);
    const mine = randomBytes(150_000);
    expect((await b.push('/mine.bin', mine)).commit.status).toBe(201);

    const viaBase = await b.send('GET', `/api/v1/blocks/${sha256(mine)}/encoded?base=${sha256(secret)}`);
    expect(viaBase.status).toBe(404);
    expect(viaBase.json().error.code).toBe('base_not_found');
    const theirs = await b.send('GET', `/api/v1/blocks/${sha256(secret)}/encoded?base=${sha256(mine)}`);
    expect(theirs.status).toBe(404);
    expect(theirs.json().error.code).toBe('block_not_found');
    const bad = await b.send('GET', `/api/v1/blocks/${sha256(mine)}/encoded?base=nothex`);
    expect(bad.status).toBe(400);
  });
});
