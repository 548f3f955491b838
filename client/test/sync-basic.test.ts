/**
 * Two `coffer sync` agents (two devices of one user, two folders) against one server process:
 * creates, edits, renames, moves and deletes of files and folders on either side converge,
 * renames travel as moves (no block downloaded), ignore rules hold, and concurrent edits end in
 * one conflicted copy with both versions kept.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';
import { converged, sha, logAgentsOnFailure, twoAgents, until, type World } from './sync-harness.js';

let w: World;
logAgentsOnFailure(() => w);
const exists = (p: string) => stat(p).then(() => true, () => false);

beforeAll(async () => {
  w = await twoAgents();
}, 90_000);

afterAll(async () => {
  await w?.cleanup();
});

describe('coffer sync, two agents', () => {
  it('initial merge: new files both ways, identical files once, folders both ways', async () => {
    await writeFile(w.a.path('from-a.txt'), 'hello from a\n');
    await mkdir(w.a.path('docs/deep'), { recursive: true });
    await writeFile(w.a.path('docs/deep/a.md'), '# a\n');
    await writeFile(w.b.path('from-b.txt'), 'hello from b\n');
    await mkdir(w.b.path('empty-b'));
    await writeFile(w.a.path('same.txt'), 'same bytes');
    await writeFile(w.b.path('same.txt'), 'same bytes');
    const old = new Date('2023-01-02T03:04:05Z');
    await utimes(w.a.path('from-a.txt'), old, old);
    w.a.start();
    w.b.start();
    const s = await converged(w, (s) => s.has('from-a.txt') && s.has('from-b.txt') && s.has('docs/deep/a.md') && s.has('empty-b'));
    expect(s.get('same.txt')).toBe(sha('same bytes'));
    expect([...s.keys()].filter((k) => k.includes('conflicted'))).toEqual([]);
    expect((await stat(w.b.path('from-a.txt'))).mtimeMs).toBe(old.getTime()); // mtime kept
  }, 90_000);

  it('edits on either side reach the other', async () => {
    await writeFile(w.a.path('from-a.txt'), 'edited on a\n');
    await converged(w, (s) => s.get('from-a.txt') === sha('edited on a\n'));
    await writeFile(w.b.path('docs/deep/a.md'), '# edited on b\n');
    await converged(w, (s) => s.get('docs/deep/a.md') === sha('# edited on b\n'));
  }, 90_000);

  it("an editor's save-by-rename is an update of the target, not a delete and a create", async () => {
    await writeFile(w.a.path('doc.txt'), 'draft 1');
    await converged(w, (s) => s.get('doc.txt') === sha('draft 1'));
    await writeFile(w.a.path('doc.txt.new'), 'draft 2');
    await rename(w.a.path('doc.txt.new'), w.a.path('doc.txt'));
    const s = await converged(w, (s) => s.get('doc.txt') === sha('draft 2'));
    expect(s.has('doc.txt.new')).toBe(false);
    expect([...s.keys()].filter((k) => k.startsWith('doc '))).toEqual([]); // no conflicted copy
    await rm(w.a.path('doc.txt'));
    await converged(w, (s) => !s.has('doc.txt'));
  }, 90_000);

  it('a rename and a folder move travel as moves, with no block downloaded', async () => {
    const before = await w.b.stats();
    await rename(w.a.path('from-a.txt'), w.a.path('renamed.txt'));
    await rename(w.a.path('docs'), w.a.path('empty-b/docs-moved'));
    const s = await converged(w, (s) => s.has('renamed.txt') && !s.has('from-a.txt') && s.has('empty-b/docs-moved/deep/a.md') && !s.has('docs'));
    expect(s.get('renamed.txt')).toBe(sha('edited on a\n'));
    const after = await w.b.stats();
    expect(after.blocksReceived).toBe(before.blocksReceived);
  }, 90_000);

  it('the same from the other side: a rename, a move into a new folder and an edit made on B', async () => {
    const before = await w.a.stats();
    await rename(w.b.path('renamed.txt'), w.b.path('renamed-on-b.txt'));
    await mkdir(w.b.path('new-folder'));
    await rename(w.b.path('from-b.txt'), w.b.path('new-folder/from-b.txt'));
    await writeFile(w.b.path('same.txt'), 'changed on b');
    const s = await converged(w, (s) => s.has('renamed-on-b.txt') && s.has('new-folder/from-b.txt') && !s.has('from-b.txt') && s.get('same.txt') === sha('changed on b'));
    expect(s.get('new-folder/from-b.txt')).toBe(sha('hello from b\n'));
    expect((await w.a.stats()).blocksReceived - before.blocksReceived).toBe(1); // same.txt only
  }, 90_000);

  it('deletes of files and folders on either side converge', async () => {
    await rm(w.b.path('renamed-on-b.txt'));
    await rm(w.a.path('empty-b'), { recursive: true });
    await converged(w, (s) => !s.has('renamed-on-b.txt') && !s.has('empty-b') && !s.has('empty-b/docs-moved/deep/a.md'));
  }, 90_000);

  it('a copy to a new name and a delete of the original (a new inode) is still a move', async () => {
    const bytes = randomBytes(200_000);
    await writeFile(w.a.path('orig.bin'), bytes);
    await converged(w, (s) => s.get('orig.bin') === sha(bytes));
    const before = await w.b.stats();
    // A stopped while the two happen: running, it may see the copy alone (10 ms to settle) and
    // upload it as new before the delete — nothing lost, but B then downloads the copy.
    await w.a.stop();
    await copyFile(w.a.path('orig.bin'), w.a.path('copy.bin'));
    await rm(w.a.path('orig.bin'));
    w.a.start();
    await converged(w, (s) => s.get('copy.bin') === sha(bytes) && !s.has('orig.bin'));
    expect((await w.b.stats()).blocksReceived).toBe(before.blocksReceived);
    expect(w.a.output).toContain('moved remotely orig.bin -> copy.bin');
    await rm(w.a.path('copy.bin'));
  }, 90_000);

  it('names equal but for case: the synced one keeps its name, the other is renamed "(case conflict)" and synced too', async () => {
    await writeFile(w.a.path('Readme.txt'), 'upper');
    await until(() => exists(w.b.path('Readme.txt')));
    await writeFile(w.a.path('README.txt'), 'all caps'); // a second name only a case-sensitive disk allows
    await until(() => exists(w.b.path('README (case conflict).txt')));
    expect(await readFile(w.b.path('Readme.txt'), 'utf8')).toBe('upper');
    expect(await readFile(w.b.path('README (case conflict).txt'), 'utf8')).toBe('all caps');
    expect(await exists(w.a.path('README.txt'))).toBe(false);
    expect(w.a.output).toMatch(/renamed README\.txt to README \(case conflict\)\.txt/);
    await rm(w.a.path('Readme.txt'));
    await rm(w.a.path('README (case conflict).txt'));
  }, 90_000);

  it('ignores editor temp files and .cofferignore patterns', async () => {
    await writeFile(w.a.path('.cofferignore'), 'build/\n*.log\n');
    await converged(w, (s) => s.has('.cofferignore'));
    await writeFile(w.a.path('note.txt.swp'), 'vim swap');
    await writeFile(w.a.path('x.tmp'), 'tmp');
    await writeFile(w.a.path('run.log'), 'log');
    await writeFile(w.a.path('.#lock'), 'emacs');
    await mkdir(w.a.path('build'));
    await writeFile(w.a.path('build/out.bin'), 'out');
    await writeFile(w.a.path('marker.txt'), 'written after the ignored ones');
    const deadline = Date.now() + 45_000;
    while (!(await exists(w.b.path('marker.txt'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await exists(w.b.path('marker.txt'))).toBe(true);
    for (const name of ['note.txt.swp', 'x.tmp', 'run.log', '.#lock', 'build']) expect(await exists(w.b.path(name)), name).toBe(false);
    for (const name of ['note.txt.swp', 'x.tmp', 'run.log', '.#lock', 'build']) await rm(w.a.path(name), { recursive: true });
  }, 90_000);

  it('a server restart: the agents back off, resume from their cursors and converge', async () => {
    await w.srv.kill('SIGKILL');
    await writeFile(w.a.path('while-down.txt'), 'written while the server was down');
    await new Promise((r) => setTimeout(r, 1500));
    await w.srv.restart();
    await writeFile(w.b.path('after-restart.txt'), 'after');
    await converged(w, (s) => s.has('while-down.txt') && s.has('after-restart.txt'));
    expect(w.a.output).toMatch(/retrying in/);
  }, 90_000);

  it('concurrent edits of one file: one conflicted copy, both versions kept', async () => {
    await writeFile(w.a.path('shared.txt'), 'v1\n');
    await converged(w, (s) => s.get('shared.txt') === sha('v1\n'));
    await w.b.stop();
    await writeFile(w.b.path('shared.txt'), 'edited offline on b\n');
    await writeFile(w.a.path('shared.txt'), 'edited on a\n');
    await converged(w, () => false, 1500).catch(() => undefined); // A uploads first
    w.b.start();
    const s = await converged(w, (s) => [...s.keys()].some((k) => k.startsWith('shared (conflicted copy')));
    const copies = [...s.keys()].filter((k) => k.startsWith('shared (conflicted copy'));
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(/^shared \(conflicted copy from laptop-b \d{4}-\d\d-\d\d\)\.txt$/);
    expect(s.get('shared.txt')).toBe(sha('edited on a\n'));
    expect(s.get(copies[0]!)).toBe(sha('edited offline on b\n'));
  }, 90_000);

  it('--once: one pass each way, then exit 0 (another remote folder, other local folders)', async () => {
    const da = join(w.base, 'once-a');
    const db = join(w.base, 'once-b');
    await mkdir(join(da, 'sub'), { recursive: true });
    await writeFile(join(da, 'sub/one.txt'), 'one');
    await utimes(join(da, 'sub/one.txt'), new Date(), new Date(Date.now() - 10_000)); // settled
    const up = await runCli(['sync', da, '/once', '--once'], { configDir: w.a.configDir });
    expect(up.code).toBe(0);
    expect(up.stderr).toContain('uploaded sub/one.txt');
    const down = await runCli(['sync', db, '/once', '--once', '--create'], { configDir: w.b.configDir });
    expect(down.code).toBe(0);
    expect(await readFile(join(db, 'sub/one.txt'), 'utf8')).toBe('one');
  }, 90_000);
});
