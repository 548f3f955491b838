/**
 * Bitrot on local-directory nodes: a shard corrupted on disk never reaches a reader (the read
 * reports the block degraded, persisted), scrub finds it and rewrites the shard, repair clears the
 * degraded list, and a scrub resumed from its progress skips what it already covered.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blocks } from '../src/db/schema.js';
import { countDegraded } from '../src/health/degraded.js';
import { filesUnder, runJob } from './fixtures/jobs.js';
import { useTestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const MiB = 1024 * 1024;

describe('scrub and repair on local nodes (bitrot)', () => {
  const srv = useTestServer('pglite');

  /** Flip bytes in the payload of shard `index` of a block on whichever node holds it; the path. */
  async function corruptShard(key: string, index: number): Promise<string> {
    const all = await filesUnder(join(srv.dataDir, 'nodes'));
    const path = all.find((p) => p.includes(`${key}.`) && p.endsWith(`.${index}`));
    if (!path) throw new Error(`no shard ${index} of ${key} on disk`);
    const bytes = await readFile(path);
    for (let i = 64; i < 96; i++) bytes[i] = bytes[i]! ^ 0xff; // past the 28-byte header
    await writeFile(path, bytes);
    return path;
  }

  it('finds a corrupted shard, restores it, and no read returns bad bytes', async () => {
    const user = await srv.user();
    const data = randomBytes(3 * MiB);
    expect((await upload(srv.url, user.auth, '/rot.bin', data)).status).toBe(201);
    const keys = (await srv.database.db.select({ key: blocks.key }).from(blocks).orderBy(asc(blocks.key))).map((b) => b.key);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const path = await corruptShard(keys[0]!, 0);
    const corrupt = await readFile(path);

    // The read still returns the right bytes, and reports the block for repair.
    const res = await download(srv.url, user.auth, '/rot.bin');
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data));
    await expect.poll(() => countDegraded(srv.database.db)).toBeGreaterThan(0);

    const scrub = await runJob(srv, 'scrub');
    expect(scrub.state).toBe('done');
    expect(scrub.progress).toMatchObject({ scanned: keys.length, total: keys.length, damaged: 1, repaired: 1, unrepaired: 0, lastKey: keys.at(-1) });
    expect((await readFile(path)).equals(corrupt)).toBe(false); // rewritten

    const repair = await runJob(srv, 'repair');
    expect(repair.state).toBe('done');
    expect(await countDegraded(srv.database.db)).toBe(0);

    const again = await runJob(srv, 'scrub');
    expect(again.progress).toMatchObject({ scanned: keys.length, damaged: 0 });
    const back = await download(srv.url, user.auth, '/rot.bin');
    expect(sha256(Buffer.from(await back.arrayBuffer()))).toBe(sha256(data));
  });

  it('resumes from the last key its progress recorded', async () => {
    const keys = (await srv.database.db.select({ key: blocks.key }).from(blocks).orderBy(asc(blocks.key))).map((b) => b.key);
    await corruptShard(keys[0]!, 1);
    // As if an earlier attempt had verified the first block and then died.
    const resumed = await runJob(srv, 'scrub', { progress: { scanned: 1, damaged: 0, repaired: 0, unrepaired: 0, bytes: 0, lastKey: keys[0] } });
    expect(resumed.progress).toMatchObject({ scanned: keys.length, damaged: 0 });
    const full = await runJob(srv, 'scrub');
    expect(full.progress).toMatchObject({ scanned: keys.length, damaged: 1, repaired: 1 });
  });
});
