/**
 * The WebDAV conformance suite: Debian's litmus (basic, copymove, props, locks, http) against
 * /dav/ on PostgreSQL must pass 104 of 104, as Apache mod_dav does. On a failure its transcript
 * (output and neon's debug.log) is kept and its path printed.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { run, startDavServer, type DavServer } from './fixtures/webdav.js';

let s: DavServer;
let dir: TempDir;
beforeAll(async () => {
  s = await startDavServer();
  dir = await makeTempDir('coffer-litmus-');
});
afterAll(async () => {
  await s?.close();
  await dir?.remove();
});

it('passes all 104 litmus tests', { timeout: 300_000 }, async () => {
  const r = await run('litmus', [`${s.dav}/`, s.username, s.password], {
    cwd: dir.path,
    env: { TESTS: 'basic copymove props locks http' },
    timeoutMs: 280_000,
  });
  const summaries = [...r.stdout.matchAll(/summary for `(\w+)': of (\d+) tests run: (\d+) passed/g)];
  const run_ = summaries.reduce((n, m) => n + Number(m[2]), 0);
  const passed = summaries.reduce((n, m) => n + Number(m[3]), 0);
  if (passed !== 104) {
    const keep = join('/tmp', `coffer-litmus-failure-${Date.now()}`);
    await mkdir(keep, { recursive: true });
    await writeFile(join(keep, 'litmus.txt'), `${r.stdout}\n${r.stderr}`);
    await copyFile(join(dir.path, 'debug.log'), join(keep, 'debug.log')).catch(() => undefined);
    console.error(`litmus transcript kept in ${keep}\n${r.stdout.split('\n').filter((l) => /FAIL|summary/.test(l)).join('\n')}`);
  }
  expect(summaries.map((m) => m[1])).toEqual(['basic', 'copymove', 'props', 'locks', 'http']);
  expect({ run: run_, passed }).toEqual({ run: 104, passed: 104 });
  // litmus warns (without failing) about unsafe behaviour: none expected.
  expect(r.stdout).not.toMatch(/WARNING/);
  expect(await readFile(join(dir.path, 'debug.log'), 'utf8')).toContain('X-Litmus: locks');
});
