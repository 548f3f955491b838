/** FsNode beyond the StorageNode contract (nodes.test.ts): temp files, a vanished root, key collisions, pack handles. */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, NodeDownError, NotFoundError } from '../src/errors.js';
import { FsNode } from '../src/nodes/fs.js';
import { native } from '../src/native.js';
import { ReadHandles } from '../src/nodes/fs-read-handles.js';
import type { StorageNode } from '../src/nodes/node.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const fsRoot = useTempDir('coffer-fsnode-specifics-');

async function listAll(node: StorageNode, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of node.list(prefix)) keys.push(k);
  return keys.sort();
}

describe('FsNode specifics', () => {
  it('leaves no temp file behind, hides crash leftovers from list, and sweeps stale ones', async () => {
    const dir = join(fsRoot(), 'temp');
    const node = new FsNode('fs', dir);
    await node.put('ab/k1', randomBytes(1000));
    expect(await readdir(join(dir, 'ab'))).toEqual(['k1']);
    // A crash between write and rename leaves a temp file: fresh and an old one.
    await writeFile(join(dir, 'ab', 'k2~fresh'), 'partial');
    await writeFile(join(dir, 'ab', 'k3~stale'), 'partial');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(join(dir, 'ab', 'k3~stale'), old, old);
    expect(await listAll(node, '')).toEqual(['ab/k1']);
    expect((await readdir(join(dir, 'ab'))).sort()).toEqual(['k1', 'k2~fresh']);
  });

  it('reads into the memory `into` gives, whole or a range (readFrame reads shards into pooled memory)', async () => {
    const node = new FsNode('fs', join(fsRoot(), 'into'));
    const bytes = randomBytes(5000);
    await node.put('ab/k', bytes);
    const area = Buffer.alloc(8192);
    const into = (n: number) => area.subarray(0, n);
    const whole = await node.get('ab/k', undefined, into);
    expect(whole.buffer).toBe(area.buffer);
    expect(whole).toEqual(bytes);
    const part = await node.get('ab/k', { start: 100, end: 300 }, into);
    expect(part.buffer).toBe(area.buffer);
    expect(part).toEqual(bytes.subarray(100, 300));
    await expect(node.get('ab/missing', undefined, into)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.runIf(native)('reads a whole object sized by the size the caller expects (the addon reads it whole: no stat), and whole all the same when it is shorter or longer', async () => {
    const node = new FsNode('fs', join(fsRoot(), 'expect'));
    const big = randomBytes(300_000);
    await node.put('ab/k', big);
    const taken: number[] = [];
    const into = (n: number) => {
      taken.push(n);
      return Buffer.alloc(n);
    };
    expect((await node.get('ab/k', undefined, into, big.length)).equals(big)).toBe(true);
    expect((await node.get('ab/k', undefined, into, big.length + 4096)).equals(big)).toBe(true);
    expect((await node.get('ab/k', undefined, into, 1000)).equals(big)).toBe(true);
    expect((await node.get('ab/k', undefined, undefined, 999)).equals(big)).toBe(true);
    // Sized by the expectation where it held, with no stat; a short guess is read again at the object's size.
    expect(taken.slice(0, 2)).toEqual([big.length, big.length + 4096]);
    expect(taken.slice(2)).toEqual([1000, big.length]);
    await expect(node.get('ab/missing', undefined, into, 5000)).rejects.toBeInstanceOf(NotFoundError);
    await expect(node.get('ab', undefined, into, 5000)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.runIf(process.platform === 'linux')('keeps block shards out of the page cache, written and read, and packs (the ranged hint) in it', async () => {
    const cached = (path: string) => Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
    const dir = join(fsRoot(), 'direct');
    const node = new FsNode('fs', dir);
    const shard = randomBytes(1024 * 1024 + 5);
    const pack = randomBytes(256 * 1024);
    await node.put('ab/shard', [shard.subarray(0, 100), shard.subarray(100)]);
    await node.put('ab/pack', pack, { ranged: true });
    expect(cached(join(dir, 'ab', 'shard'))).toBe(0);
    expect(cached(join(dir, 'ab', 'pack'))).toBeGreaterThan(0);
    expect((await node.get('ab/shard')).equals(shard)).toBe(true);
    expect(cached(join(dir, 'ab', 'shard'))).toBe(0);
    expect((await node.get('ab/pack', { start: 5, end: 70_000 })).equals(pack.subarray(5, 70_000))).toBe(true);
    // A directory under a key's name is no object; a missing one is not found.
    await expect(node.get('ab')).rejects.toBeInstanceOf(NotFoundError);
    await expect(node.get('ab/missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is down (not "not found") when its root directory vanished or is not a directory', async () => {
    const dir = join(fsRoot(), 'vanish');
    const node = new FsNode('fs', dir);
    await node.put('ab/k', randomBytes(10));
    await rm(dir, { recursive: true });
    await expect(node.get('ab/k')).rejects.toBeInstanceOf(NodeDownError);
    await expect(node.get('ab/k', { start: 0, end: 1 })).rejects.toBeInstanceOf(NodeDownError);
    await expect(node.head('ab/k')).rejects.toBeInstanceOf(NodeDownError);
    await expect(node.delete('ab/k')).rejects.toBeInstanceOf(NodeDownError);
    await expect(node.put('ab/k', randomBytes(10))).rejects.toBeInstanceOf(NodeDownError);
    await expect(listAll(node, '')).rejects.toBeInstanceOf(NodeDownError);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/); // it did not recreate the root

    const file = join(fsRoot(), 'plain-file');
    await writeFile(file, 'x');
    const onFile = new FsNode('fs2', file);
    await expect(onFile.put('ab/k', randomBytes(10))).rejects.toBeInstanceOf(NodeDownError);
    await expect(onFile.get('ab/k')).rejects.toBeInstanceOf(NodeDownError);
  });

  it('refuses a key that collides with a directory of other keys', async () => {
    const node = new FsNode('fs', join(fsRoot(), 'collide'));
    await node.put('a/b', randomBytes(10));
    await expect(node.put('a', randomBytes(10))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(node.put('a/b/c', randomBytes(10))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(node.get('a')).rejects.toBeInstanceOf(NotFoundError);
    expect(await node.head('a')).toBeUndefined();
    expect(await listAll(node, '')).toEqual(['a/b']);
  });
});

/** How many of this process's open file descriptors name `path` (Linux /proc). */
async function fdsOn(path: string): Promise<number> {
  let n = 0;
  for (const fd of await readdir('/proc/self/fd')) if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === path) n++;
  return n;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe.runIf(process.platform === 'linux')('FsNode pack handles (ranged reads)', () => {
  it('opens a pack once for many ranged reads, and sees its own put and delete at once', async () => {
    const dir = join(fsRoot(), 'handles');
    const node = new FsNode('fs', dir);
    const a = randomBytes(4096);
    await node.put('packs/p1.pack', a);
    const path = join(dir, 'packs', 'p1.pack');
    for (let i = 0; i < 8; i++) expect((await node.get('packs/p1.pack', { start: i * 512, end: i * 512 + 512 })).equals(a.subarray(i * 512, i * 512 + 512))).toBe(true);
    expect(await fdsOn(path)).toBe(1); // kept, one for all eight reads
    // Overwritten by the node (a new file renamed over it): the next read sees the new bytes.
    const b = randomBytes(4096);
    await node.put('packs/p1.pack', b);
    expect((await node.get('packs/p1.pack', { start: 100, end: 200 })).equals(b.subarray(100, 200))).toBe(true);
    // Deleted by the node: not found, and no handle is left open on the removed file.
    await node.delete('packs/p1.pack');
    await expect(node.get('packs/p1.pack', { start: 0, end: 10 })).rejects.toBeInstanceOf(NotFoundError);
    await settle();
    expect(await fdsOn(path)).toBe(0);
    expect(await fdsOn(`${path} (deleted)`)).toBe(0);
    // Whole-object reads keep nothing open.
    await node.put('ab/whole', a);
    expect((await node.get('ab/whole')).equals(a)).toBe(true);
    expect(await fdsOn(join(dir, 'ab', 'whole'))).toBe(0);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes an idle handle, so a file removed behind its back stops being read; keeps at most `max`', async () => {
    // The idle clock is faked (Date and the sweeper's interval only; file I/O and setTimeout stay
    // real), so a slow machine cannot make a handle idle between two steps (a CI flake).
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const dir = join(fsRoot(), 'handles-idle');
    const node = new FsNode('fs', dir);
    for (const k of ['p1', 'p2', 'p3']) await node.put(`packs/${k}.pack`, randomBytes(100));
    const handles = new ReadHandles(2, 50);
    const read = (k: string) => handles.with(join(dir, 'packs', `${k}.pack`), async (fh) => (await fh.read(Buffer.alloc(10), 0, 10, 0)).bytesRead);
    const fdsSettle = async (path: string, want: number) => {
      // a dropped handle is closed asynchronously: wait (real time) until it is, up to 5 s
      for (let i = 0; i < 250 && (await fdsOn(path)) !== want; i++) await settle();
      return fdsOn(path);
    };
    expect(await read('p1')).toBe(10);
    expect(await read('p2')).toBe(10);
    expect(await read('p3')).toBe(10); // the least recently used (p1) is closed
    expect(await fdsSettle(join(dir, 'packs', 'p1.pack'), 0)).toBe(0);
    expect(await fdsOn(join(dir, 'packs', 'p3.pack'))).toBe(1);
    await rm(join(dir, 'packs', 'p3.pack'));
    expect(await read('p3')).toBe(10); // still the kept handle: the removal is not seen yet
    vi.advanceTimersByTime(160); // idle past twice idleMs: the sweeper drops p2 and p3
    await expect(read('p3')).rejects.toThrow(/ENOENT/); // idle, closed: opened again, and it is gone
    expect(await fdsSettle(join(dir, 'packs', 'p2.pack'), 0)).toBe(0);
  });
});
