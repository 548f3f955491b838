import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createCipheriv, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkBuffer } from '../src/chunk/chunker.js';
import { decodeFrame, encodeFrame } from '../src/codec/codec.js';
import { GEAR } from '@coffer/protocol';
import { native, WRITE_DIRECT, WRITE_NO_SYNC } from '../src/native.js';
import { FsNode } from '../src/nodes/fs.js';
import { ends, prngBytes } from './fixtures/chunk-input.js';
import { makeTempDir, withTempDir } from '@coffer/test-support/temp-dir';

/** The byte loop of chunker.ts's scan, as the reference the addon must match. */
function scanReference(d: Uint8Array, i: number, stop: number, h: number, t: number): number {
  while (i < stop) {
    h = ((h << 1) + GEAR[d[i]!]!) | 0;
    i++;
    if (h >>> 0 < t) return i;
  }
  return -1 - (h >>> 0);
}

const addon = native!;

describe('the C addon (storage-engine/native)', () => {
  it('is built and loaded on this machine (npm install builds it)', () => {
    expect(native).toBeDefined();
    expect([...addon.gearTable()]).toEqual([...GEAR].map((v) => v >>> 0));
  });

  it('property: the gear scan answers as the JavaScript loop does, cut or final hash', () => {
    const data = prngBytes(7, 600_000);
    fc.assert(
      fc.property(fc.nat(599_999), fc.nat(300_000), fc.integer(), fc.integer({ min: 0, max: 2 ** 16 }), (i, len, h, t) => {
        const stop = Math.min(data.length, i + len);
        expect(addon.gearScan(data, i, stop, h, t)).toBe(scanReference(data, i, stop, h, t));
      }),
      { numRuns: 400 },
    );
  });

  it('property: AES-256-GCM output and tag equal node:crypto, it opens again, and any change is refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.uint8Array({ maxLength: 80 }), fc.nat(), (plain, aad, flip) => {
        const key = randomBytes(32);
        const nonce = randomBytes(12);
        const head = randomBytes(40);
        const c = createCipheriv('aes-256-gcm', key, nonce);
        c.setAAD(head);
        c.setAAD(aad);
        const want = Buffer.concat([c.update(plain), c.final()]);
        const out = Buffer.alloc(plain.length);
        const tag = Buffer.alloc(16);
        addon.gcmSeal(key, nonce, head, aad, plain, out, tag);
        expect(out.equals(want)).toBe(true);
        expect(tag.equals(c.getAuthTag())).toBe(true);
        const back = Buffer.alloc(plain.length);
        expect(addon.gcmOpen(key, nonce, head, aad, out, tag, back)).toBe(true);
        expect(back.equals(Buffer.from(plain))).toBe(true);
        // In place: the ciphertext's own memory receives the plaintext.
        const inPlace = Buffer.from(out);
        expect(addon.gcmOpen(key, nonce, head, aad, inPlace, tag, inPlace)).toBe(true);
        expect(inPlace.equals(Buffer.from(plain))).toBe(true);
        const badTag = Buffer.from(tag);
        badTag[flip % 16]! ^= 1 << flip % 8;
        expect(addon.gcmOpen(key, nonce, head, aad, out, badTag, back)).toBe(false);
        if (out.length > 0) {
          const badText = Buffer.from(out);
          badText[flip % out.length]! ^= 1;
          expect(addon.gcmOpen(key, nonce, head, aad, badText, tag, back)).toBe(false);
        }
        expect(addon.gcmOpen(key, nonce, head, Buffer.concat([aad, Buffer.of(1)]), out, tag, back)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses arguments of the wrong type or size instead of touching other memory', () => {
    const k = Buffer.alloc(32);
    const n = Buffer.alloc(12);
    const e = Buffer.alloc(0);
    const t = Buffer.alloc(16);
    expect(() => addon.gcmSeal(Buffer.alloc(31), n, e, e, e, e, t)).toThrow(RangeError);
    expect(() => addon.gcmSeal(k, Buffer.alloc(16), e, e, e, e, t)).toThrow(RangeError);
    expect(() => addon.gcmSeal(k, n, e, e, Buffer.alloc(10), Buffer.alloc(9), t)).toThrow(RangeError);
    expect(() => addon.gcmOpen(k, n, e, e, Buffer.alloc(10), t, Buffer.alloc(9))).toThrow(RangeError);
    expect(() => addon.gcmSeal(k, n, e, e, 'text' as unknown as Uint8Array, e, t)).toThrow(TypeError);
    expect(() => addon.gearScan(Buffer.alloc(10), 5, 11, 0, 1)).toThrow(RangeError);
    expect(() => addon.gearScan(Buffer.alloc(10), 6, 5, 0, 1)).toThrow(RangeError);
    expect(() => addon.gearScan(new Uint32Array(4) as unknown as Uint8Array, 0, 1, 0, 1)).toThrow(TypeError);
  });

  it('without it (COFFER_NATIVE=0) the JavaScript paths cut the same chunks, read and write the same frames, and store the same files', async () => {
    await withTempDir('coffer-js-paths-', async (dir) => {
      const key = { id: randomBytes(16), key: randomBytes(32) };
      const plain = Buffer.from(prngBytes(11, 300_000));
      const aad = Buffer.from('block-key', 'latin1');
      const ours = encodeFrame(plain, key, { aad, compress: false });
      const script = fileURLToPath(new URL('./fixtures/js-paths.ts', import.meta.url));
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, COFFER_NATIVE: '0' },
        timeout: 60_000,
        input: JSON.stringify({ key: key.key.toString('hex'), id: key.id.toString('hex'), frame: ours.toString('base64'), aad: 'block-key', dir }),
        encoding: 'utf8',
      });
      const theirs = JSON.parse(out) as { native: boolean; ends: number[]; decoded: string; frame: string; missingRoot: string };
      expect(theirs.native).toBe(false);
      expect(theirs.ends).toEqual(ends(chunkBuffer(prngBytes(5, 12_000_000))));
      expect(Buffer.from(theirs.decoded, 'base64').equals(plain)).toBe(true);
      expect(decodeFrame(Buffer.from(theirs.frame, 'base64'), key, aad).equals(plain)).toBe(true);
      const node = new FsNode('js', dir);
      expect((await node.get('ab/cd/first.0')).equals(Buffer.concat([Buffer.from('header|'), plain]))).toBe(true);
      expect((await node.get('ab/cd/second.0')).equals(plain.subarray(0, 1000))).toBe(true);
      expect((await readdir(join(dir, 'ab', 'cd'))).sort()).toEqual(['first.0', 'second.0']); // no temp files left
      expect(theirs.missingRoot).toBe('NodeDownError'); // its root vanished after the first write
    });
  });

  it('writes files durably on the thread pool: parts in order, parents made, errors with their errno code, no temp file left', async () => {
    await withTempDir('coffer-native-write-', async (dir) => {
      const root = join(dir, 'root');
      await mkdir(root);
      const write = (rel: string, parts: Uint8Array[]) => addon.durableWrite(join(root, `${rel}~t`), join(root, rel), dirname(join(root, rel)), root, parts);
      await write('a', [Buffer.from('one,'), new Uint8Array(0), Buffer.from('two')]);
      expect(await readFile(join(root, 'a'), 'utf8')).toBe('one,two');
      await write('a', [Buffer.from('replaced')]);
      expect(await readFile(join(root, 'a'), 'utf8')).toBe('replaced');
      await write('new/deeper/b', [Buffer.from('made its directories')]); // parents made below the root
      expect(await readFile(join(root, 'new/deeper/b'), 'utf8')).toBe('made its directories');
      await mkdir(join(root, 'c'));
      await expect(write('c', [Buffer.from('x')])).rejects.toMatchObject({ code: 'EISDIR', syscall: 'rename' });
      await expect(write('a/under-a-file', [Buffer.from('x')])).rejects.toMatchObject({ code: 'ENOTDIR' });
      expect((await readdir(root)).sort()).toEqual(['a', 'c', 'new']); // no temp file left
      const gone = join(dir, 'gone');
      await expect(addon.durableWrite(join(gone, 'x/y~t'), join(gone, 'x/y'), join(gone, 'x'), gone, [Buffer.from('x')])).rejects.toMatchObject({ code: 'ENOROOT' });
      await expect(readdir(gone)).rejects.toMatchObject({ code: 'ENOENT' }); // a missing root is never made
      expect(() => addon.durableWrite('', join(root, 'd'), root, dir, [])).toThrow(TypeError);
      expect(() => addon.durableWrite(join(dir, 'd~'), join(dir, 'd'), dir, root, [])).toThrow(RangeError); // dir not below root
      expect(() => addon.durableWrite(join(root, 'd~'), join(root, 'd'), root, dir, ['text' as unknown as Uint8Array])).toThrow(TypeError);
      // Through FsNode: a key under new directories, read back.
      const node = new FsNode('n', join(dir, 'node'));
      await node.put('x1/y2/z.0', [Buffer.from('head'), Buffer.from('body')]);
      expect((await node.get('x1/y2/z.0')).toString()).toBe('headbody');
    });
  });

  it('writes around the page cache when asked (WRITE_DIRECT), whatever the size and alignment, and unsynced with WRITE_NO_SYNC', async () => {
    // fincore (util-linux) counts a file's pages in the page cache: none after a direct write.
    const cached = (path: string) => Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
    const roots: string[] = [];
    await withTempDir('coffer-native-direct-', async (dir) => {
      roots.push(dir);
      // tmpfs takes no O_DIRECT on older kernels (the write then goes buffered): it must work there too.
      const shm = await makeTempDir('coffer-native-direct-', '/dev/shm');
      roots.push(shm.path);
      try {
        for (const root of roots) {
          const sizes = [64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 1024 * 1024 + 17, 3 * 1024 * 1024 + 5, 9 * 1024 * 1024];
          for (const [i, size] of sizes.entries()) {
            const body = randomBytes(size - 32);
            const head = randomBytes(32);
            const path = join(root, `d${i}`);
            await addon.durableWrite(`${path}~t`, path, root, root, [head, body], WRITE_DIRECT | (i % 2 ? WRITE_NO_SYNC : 0));
            // 64 KiB to 8 MiB go direct on a disk; below and above, through the cache as before (before reading it back, which caches it).
            if (root === dir) expect(cached(path) === 0).toBe(size >= 64 * 1024 && size <= 8 * 1024 * 1024);
            expect((await readFile(path)).equals(Buffer.concat([head, body]))).toBe(true);
          }
          expect((await readdir(root)).filter((n) => n.endsWith('~t'))).toEqual([]);
        }
      } finally {
        await shm.remove();
      }
    });
    expect(() => addon.durableWrite(join(roots[0]!, 'x~t'), join(roots[0]!, 'x'), roots[0]!, roots[0]!, [], 4)).toThrow(TypeError);
  });

  it('reads a whole file around the page cache (directRead), whatever the size, on disk and on tmpfs; errors carry their errno code', async () => {
    const cached = (path: string) => Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
    await withTempDir('coffer-native-dread-', async (dir) => {
      const shm = await makeTempDir('coffer-native-dread-', '/dev/shm');
      try {
        for (const root of [dir, shm.path]) {
          const sizes = [0, 1, 4096, 64 * 1024 - 1, 64 * 1024, 1024 * 1024 + 17, 8 * 1024 * 1024, 9 * 1024 * 1024 + 3];
          for (const [i, size] of sizes.entries()) {
            const bytes = randomBytes(size);
            const path = join(root, `r${i}`);
            await addon.durableWrite(`${path}~t`, path, root, root, [bytes], WRITE_DIRECT);
            // Read into a bigger buffer at an odd offset: the bytes land exactly there, and nothing past them.
            const into = Buffer.alloc(size + 4099, 0xa5);
            const view = into.subarray(3);
            expect(await addon.directRead(path, view)).toBe(size);
            expect(view.subarray(0, size).equals(bytes)).toBe(true);
            expect(view.subarray(size).every((b) => b === 0xa5)).toBe(true);
            // 64 KiB to 8 MiB are read direct on a disk: the page cache still holds none of the file.
            if (root === dir && size >= 64 * 1024 && size <= 8 * 1024 * 1024) expect(cached(path)).toBe(0);
          }
        }
        const big = join(dir, 'r6');
        await expect(addon.directRead(big, Buffer.alloc(10))).rejects.toMatchObject({ code: 'ERANGE' });
        await expect(addon.directRead(join(dir, 'absent'), Buffer.alloc(10))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' });
        await expect(addon.directRead(dir, Buffer.alloc(10))).rejects.toMatchObject({ code: 'EISDIR' });
        expect(() => addon.directRead(big, new Uint16Array(4) as unknown as Uint8Array)).toThrow(TypeError);
        expect(() => addon.directRead('', Buffer.alloc(1))).toThrow(TypeError);
      } finally {
        await shm.remove();
      }
    });
  });

  it('renames without replacing: EEXIST when the name is taken (files and folders), ENOENT when the source is gone', async () => {
    await withTempDir('coffer-rename-', async (dir) => {
      const p = (n: string) => join(dir, n);
      await writeFile(p('a'), 'a');
      await writeFile(p('b'), 'b');
      expect(() => addon.renameNoReplace(p('a'), p('b'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      expect(await readFile(p('b'), 'utf8')).toBe('b');
      addon.renameNoReplace(p('a'), p('c'));
      expect(await readFile(p('c'), 'utf8')).toBe('a');
      expect(() => addon.renameNoReplace(p('a'), p('d'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
      await mkdir(p('x'));
      await mkdir(p('y'));
      expect(() => addon.renameNoReplace(p('x'), p('y'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      expect(() => addon.renameNoReplace(p('x') + '\0', p('z'))).toThrow(TypeError);
      expect((await readdir(dir)).sort()).toEqual(['b', 'c', 'x', 'y']);
    });
  });
});
