/** Small files opened for synchronous reads (file-handle.ts): the same answers as the thread-pool handle, errors included. */
import { randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { SYNC_READ_BYTES, nodeReadable, openNodeFile } from '../src/transfer/file-handle.js';
import { readSmall } from '../src/transfer/batch-upload.js';
import { flushingAhead } from '../src/transfer/flush-ahead.js';

const dir = useTempDir('coffer-file-handle-');

describe('openNodeFile({ small: true })', () => {
  it('reads, stats and closes as the thread-pool handle does', async () => {
    const path = join(dir(), 'small.txt');
    const bytes = randomBytes(5000);
    await writeFile(path, bytes);
    const [sync, pooled] = [await openNodeFile(path, { small: true }), await openNodeFile(path)];
    expect(await sync.stat()).toEqual(await pooled.stat());
    const [a, b] = [Buffer.alloc(6000), Buffer.alloc(6000)];
    expect(await sync.read(a, 10, 6000 - 10, 100)).toBe(await pooled.read(b, 10, 6000 - 10, 100));
    expect(a.equals(b)).toBe(true);
    expect(await sync.read(a, 0, 100, 5000)).toBe(0); // at the end
    await sync.close();
    await sync.close(); // twice is harmless
    await pooled.close();
    await expect(sync.stat()).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('reads a file that grew past the synchronous bound through the thread pool, whole', async () => {
    const path = join(dir(), 'grew.bin');
    const bytes = randomBytes(SYNC_READ_BYTES * 3 + 17);
    await writeFile(path, bytes);
    const h = await openNodeFile(path, { small: true });
    const buf = Buffer.alloc(bytes.length);
    let got = 0;
    while (got < bytes.length) {
      const n = await h.read(buf, got, bytes.length - got, got);
      if (n === 0) break;
      got += n;
    }
    await h.close();
    expect(got).toBe(bytes.length);
    expect(buf.equals(bytes)).toBe(true);
  });

  it('rejects a missing file with its code, as the callers expect (ENOENT: passed over)', async () => {
    await expect(openNodeFile(join(dir(), 'gone'), { small: true })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readSmall(nodeReadable(join(dir(), 'gone'), { small: true }))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives readSmall the same blocks either way', async () => {
    const path = join(dir(), 'same.bin');
    await writeFile(path, randomBytes(300_000));
    const [s, p] = [await readSmall(nodeReadable(path, { small: true })), await readSmall(nodeReadable(path))];
    expect(s.stable).toBe(true);
    expect(s.contentHash).toBe(p.contentHash);
    expect(s.blocks).toEqual(p.blocks);
  });
});

describe('a file flushed ahead as it is written', () => {
  /** A real file handle whose datasync calls are counted, and fail when told to. */
  async function counted(name: string, failFlush = false) {
    const fh = await open(join(dir(), name), 'wx');
    const seen = { flushes: 0, syncs: 0 };
    const handle = new Proxy(fh, {
      get(target, prop) {
        if (prop === 'datasync') return async () => (seen.flushes++, failFlush ? Promise.reject(new Error('EIO')) : target.datasync());
        if (prop === 'sync') return async () => (seen.syncs++, target.sync());
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return { handle, seen };
  }

  it('starts a flush every so many bytes while the writes go on, and syncs and closes after it', async () => {
    const { handle, seen } = await counted('ahead.bin');
    const out = flushingAhead(handle, 1024 * 1024);
    const parts = Array.from({ length: 10 }, () => randomBytes(300_000));
    for (const p of parts) await out.write(p);
    await out.sync();
    await out.close();
    expect(seen.flushes).toBeGreaterThanOrEqual(1);
    expect(seen.flushes).toBeLessThanOrEqual(2); // 3 MB in 1 MiB steps, one flush at a time
    expect(seen.syncs).toBe(1);
    expect((await readFile(join(dir(), 'ahead.bin'))).equals(Buffer.concat(parts))).toBe(true);
  });

  it('reports a background flush that failed at the sync that makes the file durable', async () => {
    const { handle } = await counted('failed.bin', true);
    const out = flushingAhead(handle, 100_000);
    await out.write(randomBytes(200_000));
    await expect(out.sync()).rejects.toThrow('EIO');
    await out.close();
  });
});
