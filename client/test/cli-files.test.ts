/**
 * `coffer put/get/ls/mkdir/mv/rm/revs/restore` as a child process against a real HTTPS server
 * process: byte-identical round trips, a 1-byte edit re-sent as at most 2 blocks (counted by
 * --stats), and for each tree command a happy path and an error path (exit 1 + message).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CofferApi } from '../src/api/client.js';
import { assembleFile } from '../src/transfer/assemble.js';
import { blockListOf } from '../src/transfer/blocks.js';
import { TransferStats } from '../src/transfer/stats.js';
import { fingerprintOfPem, runCli, type Run, useSignedInCli } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const dir = useTempDir('coffer-cli-files-');
const cliEnv = useSignedInCli(dir, 90_000);

const MiB = 1024 * 1024;
const cli = (...args: string[]) => runCli(args, { configDir: cliEnv.configDir, cwd: dir() });
const statsOf = (r: Run) => JSON.parse(r.stderr.trim().split('\n').at(-1)!) as { blocksSent: number; blockBytesSent: number; blocksReused: number; bytesDownloaded: number; wireSent: number };
/** An error is one line: `coffer CMD: message`, exit code 1 (3 for a conflict). */
function expectError(r: Run, pattern: RegExp, code = 1): void {
  expect(r.code).toBe(code);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe('put and get', () => {
  it('round-trips a few MiB, an empty file and a unicode name byte for byte, keeping mtimes', async () => {
    const files = { 'big.bin': randomBytes(3 * MiB + 123), 'empty.txt': Buffer.alloc(0), 'Grüße — ✓ 日本.txt': Buffer.from('héllo wörld\n') };
    await mkdir(join(dir(), 'up'));
    const mtime = new Date('2024-05-06T07:08:09Z');
    expect((await cli('mkdir', '/docs')).code).toBe(0);
    for (const [name, bytes] of Object.entries(files)) {
      await writeFile(join(dir(), 'up', name), bytes);
      await utimes(join(dir(), 'up', name), mtime, mtime);
      const r = await cli('put', join('up', name), '/docs/');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`/docs/${name}`);
    }
    await mkdir(join(dir(), 'down'));
    for (const [name, bytes] of Object.entries(files)) {
      const r = await cli('get', `/docs/${name}`, 'down');
      expect(r.code).toBe(0);
      expect((await readFile(join(dir(), 'down', name))).equals(bytes)).toBe(true);
      expect((await stat(join(dir(), 'down', name))).mtimeMs).toBe(mtime.getTime());
    }
    const ls = await cli('ls', '/docs', '-l');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/3\.0 MiB .*big\.bin/);
    expect(ls.stdout).toContain('Grüße — ✓ 日本.txt');
  });

  it('re-sends at most 2 blocks after a 1-byte change in the middle, and get reuses an identical file', async () => {
    const data = randomBytes(8 * MiB);
    const local = join(dir(), 'delta.bin');
    await writeFile(local, data);
    const first = await cli('put', 'delta.bin', '/delta.bin', '--stats');
    expect(first.code).toBe(0);
    expect(statsOf(first).blockBytesSent).toBe(data.length);

    data[4 * MiB] = data[4 * MiB]! ^ 0xff;
    await writeFile(local, data);
    const refused = await cli('put', 'delta.bin', '/delta.bin');
    expectError(refused, /exists.*--overwrite/, 3); // a conflict
    const second = await cli('put', 'delta.bin', '/delta.bin', '--overwrite', '--stats');
    expect(second.code).toBe(0);
    const s = statsOf(second);
    expect(s.blocksSent).toBeGreaterThanOrEqual(1);
    expect(s.blocksSent).toBeLessThanOrEqual(2);
    expect(s.blockBytesSent).toBeLessThanOrEqual(2 * 4 * MiB);
    expect(s.wireSent).toBeLessThan(s.blockBytesSent + 256 * 1024); // nothing else of size went out
    expect(s.blocksReused).toBeGreaterThanOrEqual(3);

    // The local file is the head: nothing is downloaded. An older local copy is fetched whole.
    const same = await cli('get', '/delta.bin', 'delta.bin', '--stats');
    expect(same.stdout).toMatch(/up to date/);
    expect(statsOf(same).bytesDownloaded).toBe(0);
    const old = await cli('get', '/delta.bin', 'delta.bin', '--rev', '1', '--stats');
    expect(old.code).toBe(0);
    expect(statsOf(old).bytesDownloaded).toBe(data.length);
    data[4 * MiB] = data[4 * MiB]! ^ 0xff;
    expect((await readFile(local)).equals(data)).toBe(true);
  });

  it('after an interrupted upload, a re-run sends only the blocks the server still lacks', async () => {
    const data = randomBytes(5 * MiB);
    await writeFile(join(dir(), 'resume.bin'), data);
    // The "crash": some blocks reached the server, the commit never happened.
    const blocks = await blockListOf(join(dir(), 'resume.bin'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const api = new CofferApi(cliEnv.srv.url, { fingerprint: fingerprintOfPem(cliEnv.srv.ca!) }, cliEnv.srv.token);
    let offset = 0;
    let early = 0;
    for (const [i, b] of blocks.entries()) {
      if (i % 2 === 0) {
        await api.putBlock(b.hash, data.subarray(offset, offset + b.size));
        early += b.size;
      }
      offset += b.size;
    }
    api.close();
    const r = await cli('put', 'resume.bin', '--stats');
    expect(r.code).toBe(0);
    expect(statsOf(r).blockBytesSent).toBe(data.length - early);
    expect(statsOf(r).blocksSent).toBe(Math.floor(blocks.length / 2));
    expect((await cli('get', '/resume.bin', 'resume-back.bin')).code).toBe(0);
    expect((await readFile(join(dir(), 'resume-back.bin'))).equals(data)).toBe(true);
  });

  it('assembles a version from its block list, fetching only the blocks the local copy lacks', async () => {
    const data = randomBytes(6 * MiB);
    const local = join(dir(), 'asm.bin');
    await writeFile(local, data);
    expect((await cli('put', 'asm.bin', '/asm.bin')).code).toBe(0);
    const blocks = await blockListOf(local);
    // The local copy is now an older version: one byte differs in the middle.
    const older = Buffer.from(data);
    older[3 * MiB] = older[3 * MiB]! ^ 1;
    await writeFile(local, older);
    const stats = new TransferStats();
    const api = new CofferApi(cliEnv.srv.url, { fingerprint: fingerprintOfPem(cliEnv.srv.ca!) }, cliEnv.srv.token);
    try {
      await assembleFile(api, blocks, local, { reuseFrom: local, stats, mtime: new Date('2023-01-02T03:04:05Z') });
    } finally {
      api.close();
    }
    expect((await readFile(local)).equals(data)).toBe(true);
    expect((await stat(local)).mtimeMs).toBe(Date.parse('2023-01-02T03:04:05Z'));
    expect(stats.bytesDownloaded).toBeGreaterThan(0);
    expect(stats.bytesDownloaded).toBeLessThanOrEqual(2 * 4 * MiB);
    expect(stats.bytesDownloaded).toBeLessThan(data.length / 2);
    expect(stats.blocksReused).toBeGreaterThanOrEqual(blocks.length - 2);
  });

  it('fails cleanly on a missing remote or local file', async () => {
    expectError(await cli('get', '/nope.bin'), /^coffer get: /);
    expectError(await cli('put', 'nope.bin'), /nope\.bin/);
    expect((await cli('put')).code).toBe(2);
    expect((await cli('get', '/x', '--bogus')).code).toBe(2);
  });
});

describe('tree commands', () => {
  it('mkdir, mv, rm, ls: happy paths and errors', async () => {
    expect((await cli('mkdir', '-p', '/a/b/c')).code).toBe(0);
    expectError(await cli('mkdir', '/a/b'), /^coffer mkdir: an entry of that name exists already/, 3); // a conflict
    await writeFile(join(dir(), 'note.txt'), 'note');
    expect((await cli('put', 'note.txt', '/a/note.txt')).code).toBe(0);

    const mv = await cli('mv', '/a/note.txt', '/a/b'); // into the folder
    expect(mv.code).toBe(0);
    expect(mv.stdout).toContain('/a/b/note.txt');
    expectError(await cli('mv', '/a/missing.txt', '/a/x.txt'), /^coffer mv: /);

    const ls = await cli('ls', '/a/b');
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['c/', 'note.txt']);
    expectError(await cli('ls', '/no/such/folder'), /^coffer ls: /);

    expect((await cli('rm', '/a/b/c')).code).toBe(0);
    expect((await cli('ls', '/a/b')).stdout.trim()).toBe('note.txt');
    expectError(await cli('rm', '/a/b/c'), /^coffer rm: /);
  });

  it('revs and restore: happy paths and errors', async () => {
    await writeFile(join(dir(), 'r.txt'), 'one');
    expect((await cli('put', 'r.txt', '/r.txt')).code).toBe(0);
    await writeFile(join(dir(), 'r.txt'), 'two!');
    expect((await cli('put', 'r.txt', '/r.txt', '--overwrite')).code).toBe(0);

    const revs = await cli('revs', '/r.txt');
    expect(revs.code).toBe(0);
    expect(revs.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/)[0])).toEqual(['rev 2', 'rev 1']);
    expectError(await cli('revs', '/missing.txt'), /^coffer revs: /);

    const restore = await cli('restore', '/r.txt', '1');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/now rev 3/);
    expect((await cli('get', '/r.txt', 'restored.txt')).code).toBe(0);
    expect(await readFile(join(dir(), 'restored.txt'), 'utf8')).toBe('one');
    expectError(await cli('restore', '/r.txt', '99'), /^coffer restore: /);
    expect((await cli('restore', '/r.txt', 'x')).code).toBe(2);

    const keep = await cli('revs', '/r.txt', '--keep', '1');
    expect(keep.code).toBe(0);
    expect(keep.stdout).toMatch(/Keeping rev 1 forever/);
    const listed = (await cli('revs', '/r.txt')).stdout.trim().split('\n');
    expect(listed.find((l) => l.startsWith('rev 1'))).toMatch(/kept/);
    expect(listed.find((l) => l.startsWith('rev 2'))).not.toMatch(/kept/);
    expect((await cli('revs', '/r.txt', '--unkeep', 'rev1')).stdout).toMatch(/no longer kept/);
    expect((await cli('revs', '/r.txt')).stdout).not.toMatch(/kept/);
    expectError(await cli('revs', '/r.txt', '--keep', '99'), /^coffer revs: /);
    expect((await cli('revs', '/r.txt', '--keep', '1', '--unkeep', '1')).code).toBe(2);
  });
});
