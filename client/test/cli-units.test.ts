/** Small pieces of the CLI: sizes, remote paths, fingerprints, content hash, the environment, atomic writes. */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeFingerprint } from '../src/api/pinned-agent.js';
import { apiErrorFrom } from '../src/api/errors.js';
import { configDir } from '../src/cli/config.js';
import { remoteJoin, remotePath } from '../src/cli/context.js';
import { humanSize } from '../src/cli/format.js';
import { humanDuration, MovingRate } from '../src/cli/progress.js';
import { clientEnv, debugging } from '../src/env.js';
import { replaceFile, writeFileAtomic } from '../src/transfer/atomic-write.js';
import { contentHashOf, sha256Hex } from '../src/transfer/blocks.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('cli helpers', () => {
  it('prints sizes in binary units', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(1023)).toBe('1023 B');
    expect(humanSize(1536)).toBe('1.5 KiB');
    expect(humanSize(5 * 1024 * 1024 + 123)).toBe('5.0 MiB');
    expect(humanSize(300 * 1024 ** 3)).toBe('300 GiB');
  });

  it('measures the rate over the last seconds only, and says the time left', () => {
    const r = new MovingRate(3000);
    expect(r.add(0, 0)).toBeUndefined();
    // 10 s at 1 MB/s, then a stall: the stall shows within the window, not averaged away.
    for (let t = 1000; t <= 10_000; t += 1000) expect(r.add(t, t * 1000)).toBeCloseTo(1_000_000, -3);
    expect(r.add(13_000, 10_000_000)).toBeLessThan(100_000);
    // A new pass counts from 0 again.
    expect(r.add(14_000, 500)).toBeUndefined();
    expect([humanDuration(42), humanDuration(125), humanDuration(3 * 3600 + 60), humanDuration(Infinity)]).toEqual(['42s', '2m05s', '3h01m', '--']);
  });

  it('makes remote paths absolute without doubled or trailing slashes', () => {
    expect(remotePath('a/b/')).toBe('/a/b');
    expect(remotePath('//a//b')).toBe('/a/b');
    expect(remotePath('/')).toBe('/');
    expect(remoteJoin('/', 'x')).toBe('/x');
  });

  it('normalises fingerprints and rejects anything else', () => {
    const hex = 'ab'.repeat(32);
    expect(normalizeFingerprint(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(normalizeFingerprint(Array(32).fill('ab').join(':'))).toBe(Array(32).fill('AB').join(':'));
    expect(() => normalizeFingerprint('AB:CD')).toThrow(/not a SHA-256/);
    expect(() => normalizeFingerprint('zz'.repeat(32))).toThrow();
  });

  it('hashes a block list as the server does (SHA-256 over the raw block hashes)', () => {
    const a = sha256Hex(Buffer.from('a'));
    const b = sha256Hex(Buffer.from('b'));
    expect(contentHashOf([{ hash: a, size: 1 }, { hash: b, size: 1 }])).toBe(sha256Hex(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')])));
    expect(contentHashOf([])).toBe(sha256Hex(Buffer.alloc(0)));
  });

  it('takes the server message from an error answer, or a short line from anything else', () => {
    const e = apiErrorFrom(409, JSON.stringify({ error: { code: 'name_taken', message: 'a file or folder with that name exists' } }));
    expect([e.status, e.code, e.message]).toEqual([409, 'name_taken', 'a file or folder with that name exists']);
    expect(apiErrorFrom(502, '<html>\nBad gateway').message).toBe('HTTP 502: <html>');
  });

  it('finds the config directory as documented', () => {
    expect(configDir({ COFFER_CONFIG_DIR: '/c', XDG_CONFIG_HOME: '/x' })).toBe('/c');
    expect(configDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/coffer');
    expect(configDir({ HOME: '/h' })).toMatch(/\.config\/coffer$/);
  });

  it('reads the environment in one place, refusing values it cannot use by name', () => {
    expect(clientEnv({})).toMatchObject({ debug: false, progress: true, syncTimings: {} });
    expect(clientEnv({ COFFER_DEBUG: '1', COFFER_NO_PROGRESS: 'yes' })).toMatchObject({ debug: true, progress: false });
    expect(clientEnv({ COFFER_DEBUG: '0', COFFER_NO_PROGRESS: '' })).toMatchObject({ debug: false, progress: true });
    expect(clientEnv({ COFFER_SYNC_RESCAN_MS: '5000', COFFER_SYNC_POLL_S: '30', COFFER_SYNC_SETTLE_MS: '' }).syncTimings).toEqual({ rescanMs: 5000, pollSeconds: 30 });
    expect(() => clientEnv({ COFFER_SYNC_POLL_S: '5' })).toThrow(/COFFER_SYNC_POLL_S/);
    expect(() => clientEnv({ COFFER_SYNC_RESCAN_MS: 'soon' })).toThrow(/COFFER_SYNC_RESCAN_MS/);
    // Reporting an error never fails on the environment.
    expect(debugging({ COFFER_DEBUG: 'true', COFFER_SYNC_POLL_S: '5' })).toBe(true);
  });
});

describe('atomic writes', () => {
  const dir = useTempDir('coffer-atomic-', { each: true });

  it('replaces a file whole, with the mode and mtime asked for, leaving no temp file', async () => {
    const file = join(dir(), 'config.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, 'new', { mode: 0o600 });
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const mtime = new Date('2020-02-02T02:02:02Z');
    await replaceFile(file, (fh) => fh.writeFile('newer').then(() => undefined), { mtime });
    expect((await stat(file)).mtime.getTime()).toBe(mtime.getTime());
    expect(await readdir(dir())).toEqual(['config.json']);
  });

  it('keeps the old content and removes its temp file when writing fails', async () => {
    const file = join(dir(), 'kept.txt');
    await writeFile(file, 'old');
    const failed = replaceFile(file, async (fh) => {
      await fh.writeFile('half of it');
      throw new Error('the download broke off');
    });
    await expect(failed).rejects.toThrow('the download broke off');
    expect(await readFile(file, 'utf8')).toBe('old');
    expect(await readdir(dir())).toEqual(['kept.txt']);
  });
});

describe('put -r partial failure', () => {
  it('exits with the code the failures share, else 1', async () => {
    const { PartialFailure, describeFailure } = await import('../src/cli/failure.js');
    expect((await describeFailure(new PartialFailure(2, 700, [3, 3]), undefined)).code).toBe(3);
    expect((await describeFailure(new PartialFailure(2, 700, [3, 1]), undefined)).code).toBe(1);
    expect((await describeFailure(new PartialFailure(1, 1, [4]), undefined)).code).toBe(4);
    expect((await describeFailure(new PartialFailure(2, 700, [3, 3]), undefined)).message).toBe('2 of 700 entries not uploaded (each said above)');
  });
});
