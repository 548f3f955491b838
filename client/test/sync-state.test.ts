/**
 * The agent's SQLite state (client/src/sync/state.ts) on a real folder: what a save commits
 * survives a reopen and what it did not is gone (as after a SIGKILL), folder renames and deletes
 * move exactly their subtree, the remote picture round-trips with only its changed rows written,
 * and a `state.json` of an earlier version is taken over once and kept as `.bak`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFs } from '../src/sync/node-fs.js';
import { RemoteTree, type RemoteEntry } from '../src/sync/remote.js';
import { LEGACY_STATE_FILE, STATE_DB, SyncState, type BaseEntry } from '../src/sync/state.js';

let temp: TempDir;
const base = (fileId: string, rev = 1): BaseEntry => ({ isDir: false, fileId, rev, contentHash: `h-${fileId}`, size: 3, ino: 2 ** 53 + 2, mtimeMs: 1_700_000_000_123.5 });
const remote = (id: string, rev = 1): RemoteEntry => ({ isDir: false, id, rev, contentHash: `h-${id}`, size: 3, mtimeMs: 1_700_000_000_000 });
const open = (root = '/sync') => SyncState.open(nodeFs(temp.path), root, join(temp.path, STATE_DB));

beforeEach(async () => {
  temp = await makeTempDir('coffer-state-');
});
afterEach(async () => {
  await temp.remove();
});

describe('the SQLite state', () => {
  it('keeps what was saved across a reopen, and drops what was not (as a kill would)', async () => {
    const s = await open();
    s.set('a.txt', base('A'));
    s.setIntent('a.txt', { kind: 'upload', contentHash: 'h', ino: 1, size: 1, mtimeMs: 1, cursor: 7 });
    await s.save();
    s.set('b.txt', base('B')); // never saved
    s.close();
    const again = await open();
    expect(again.get('a.txt')).toEqual(base('A'));
    expect(again.intent('a.txt')).toEqual({ kind: 'upload', contentHash: 'h', ino: 1, size: 1, mtimeMs: 1, cursor: 7 });
    expect(again.get('b.txt')).toBeUndefined();
    again.close();
  });

  it('survives SIGKILL of a process in the middle of a transaction: the last commit is there', async () => {
    const file = join(temp.path, STATE_DB);
    await mkdir(join(temp.path, '.coffer'));
    // A child commits one row, opens a transaction with another, and kills itself.
    const script = `const {DatabaseSync}=require('node:sqlite');const d=new DatabaseSync(${JSON.stringify(file)});
      d.exec("PRAGMA journal_mode=WAL;CREATE TABLE t(x);INSERT INTO t VALUES (1);BEGIN;INSERT INTO t VALUES (2);");process.kill(process.pid,'SIGKILL');`;
    const r = spawnSync(process.execPath, ['-e', script]);
    expect(r.signal).toBe('SIGKILL');
    const { DatabaseSync } = await import('node:sqlite');
    const d = new DatabaseSync(file);
    expect(d.prepare('SELECT x FROM t').all().map((row) => row.x)).toEqual([1]);
    d.close();
  });

  it('renames and deletes exactly a subtree (not its look-alike siblings)', async () => {
    const s = await open();
    for (const p of ['d', 'd/x', 'd/e/y', 'd0', 'd-1/z', 'dd', 'e']) s.set(p, base(p));
    s.set('n/x', base('old')); // replaced by the rename
    expect(s.get('d/x')!.fileId).toBe('d/x'); // read (and cached) before the rename
    s.renamePrefix('d', 'n');
    expect(s.get('d/x')).toBeUndefined();
    expect(s.paths().sort()).toEqual(['d-1/z', 'd0', 'dd', 'e', 'n', 'n/e/y', 'n/x']);
    expect(s.get('n/x')!.fileId).toBe('d/x');
    s.deleteTree('n');
    expect(s.get('n/x')).toBeUndefined();
    expect(s.paths().sort()).toEqual(['d-1/z', 'd0', 'dd', 'e']);
    expect(new Map(s.entries()).get('dd')).toEqual(base('dd'));
    await s.save();
    s.close();
  });

  it('stores the remote picture with its cursor, writing only the rows that changed', async () => {
    const s = await open();
    const tree = new RemoteTree();
    expect(s.loadRemote(tree)).toBeUndefined(); // nothing stored yet: the agent lists the tree
    tree.set('a', remote('A'));
    tree.set('f', { ...remote('F'), isDir: true });
    tree.set('f/b', remote('B'));
    s.saveRemote(40, 'root-id', tree);
    await s.save();
    tree.renameTree('f', 'g');
    tree.set('a', remote('A', 2));
    tree.set('c', remote('C'));
    s.saveRemote(45, 'root-id', tree);
    await s.save();
    s.close();

    const again = await open();
    const loaded = new RemoteTree();
    expect(again.loadRemote(loaded)).toEqual({ cursor: 45, rootId: 'root-id' });
    expect([...loaded.entries()].sort()).toEqual([...tree.entries()].sort());
    expect(loaded.pathOf('B')).toBe('g/b');
    expect(loaded.takeChanges()).toEqual({ cleared: false, paths: [] }); // what was read is what is stored
    again.close();
  });

  it('the picture lists the paths set or removed since it was last asked', () => {
    const tree = new RemoteTree();
    tree.set('f', { ...remote('F'), isDir: true });
    tree.set('f/b', remote('B'));
    tree.takeChanges();
    tree.renameTree('f', 'g');
    tree.set('x', remote('B')); // the same id elsewhere: its old path goes
    expect(tree.takeChanges()).toEqual({ cleared: false, paths: expect.arrayContaining(['f', 'f/b', 'g', 'g/b', 'x']) as unknown as string[] });
    expect(tree.has('g/b')).toBe(false);
  });

  it('writes the whole picture again after a clear (a new listing)', async () => {
    const s = await open();
    const tree = new RemoteTree();
    tree.set('a', remote('A'));
    s.saveRemote(1, '', tree);
    tree.clear();
    tree.set('b', remote('B'));
    s.saveRemote(9, '', tree);
    await s.save();
    const loaded = new RemoteTree();
    expect(s.loadRemote(loaded)).toEqual({ cursor: 9, rootId: '' });
    expect([...loaded.paths()]).toEqual(['b']);
    s.close();
  });

  it('starts over for another remote folder', async () => {
    const s = await open('/one');
    s.set('a', base('A'));
    s.saveRemote(3, 'x', new RemoteTree());
    await s.save();
    s.close();
    const other = await open('/two');
    expect(other.paths()).toEqual([]);
    expect(other.loadRemote(new RemoteTree())).toBeUndefined();
    other.close();
  });

  it('takes over a state.json once and keeps it as state.json.bak', async () => {
    await mkdir(join(temp.path, '.coffer'));
    const legacy = { version: 1, remoteRoot: '/sync', cursor: 12, entries: { 'a.txt': base('A'), d: { ...base('D'), isDir: true } }, intents: { 'b.txt': { kind: 'download', contentHash: 'h', ino: 1, size: 1, mtimeMs: 1, fileId: 'B', rev: 2, temp: '.coffer/tmp/x' } } };
    await writeFile(join(temp.path, LEGACY_STATE_FILE), JSON.stringify(legacy));
    const s = await open();
    expect(s.get('a.txt')).toEqual(base('A'));
    expect(s.get('d')!.isDir).toBe(true);
    expect(s.intent('b.txt')).toEqual(legacy.intents['b.txt']);
    expect(s.loadRemote(new RemoteTree())).toBeUndefined(); // its cursor had no picture: the first start lists
    expect(existsSync(join(temp.path, LEGACY_STATE_FILE))).toBe(false);
    expect(existsSync(join(temp.path, `${LEGACY_STATE_FILE}.bak`))).toBe(true);
    s.set('a.txt', base('A', 2));
    await s.save();
    s.close();
    const again = await open(); // not taken over a second time
    expect(again.get('a.txt')!.rev).toBe(2);
    again.close();
  });
});
