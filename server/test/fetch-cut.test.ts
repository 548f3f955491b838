/**
 * A fetched pack (POST /blocks/fetch) says its length up front; when a block in it cannot be read
 * after the answer started, the answer is cut short — the client never receives something it
 * could take for the whole pack (its length, or PACK_END).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACK_END } from '@coffer/protocol';
import { filesUnder } from './fixtures/jobs.js';
import { useTestServer } from './fixtures/server.js';
import { SyncClient } from './fixtures/sync-client.js';

const MiB = 1024 * 1024;

describe('a fetched pack with a block lost after the answer began', () => {
  const srv = useTestServer('pglite');

  it('is cut short, never whole', async () => {
    const user = await srv.user();
    const c = new SyncClient(srv.url, user.auth);
    const pushed = await c.push('/cut.bin', randomBytes(12 * MiB));
    expect(pushed.commit.status).toBe(201);
    const hashes = pushed.blocks.map((b) => b.hash);
    expect(hashes.length).toBeGreaterThanOrEqual(4);

    // Whole first: its length said, and all of it sent.
    const whole = await c.send('POST', '/api/v1/blocks/fetch', { hashes });
    expect(whole.status).toBe(200);
    expect(Number(whole.headers['content-length'])).toBe(whole.body.byteLength);
    expect(whole.body.subarray(-PACK_END.byteLength).equals(Buffer.from(PACK_END))).toBe(true);

    // Every shard of the last block damaged on disk: no node can give it, and the blocks before it go out first.
    const lastKey = srv.storage.blocks.keyFor(user.namespaceId, hashes.at(-1)!);
    const shards = (await filesUnder(join(srv.dataDir, 'nodes'))).filter((p) => p.includes(`${lastKey}.`));
    expect(shards.length).toBeGreaterThanOrEqual(2);
    for (const p of shards) {
      const bytes = await readFile(p);
      for (let i = 64; i < 96; i++) bytes[i] = bytes[i]! ^ 0xff; // past the 28-byte header
      await writeFile(p, bytes);
    }

    const cut = await c.send('POST', '/api/v1/blocks/fetch', { hashes }).then(
      (r) => r,
      (err: Error) => err,
    );
    if (cut instanceof Error) return; // the connection was dropped mid-answer: cut short, as it must be
    expect(cut.body.byteLength).toBeLessThan(Number(cut.headers['content-length']));
    expect(cut.body.subarray(-PACK_END.byteLength).equals(Buffer.from(PACK_END))).toBe(false);
  });
});
