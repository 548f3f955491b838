/**
 * coffer-admin import, export, verify and rotate-master-key on an embedded install: a folder tree
 * imported and exported byte-identical; verify passes on it, then finds an injected problem (a
 * shard object deleted from a node, a block row removed); after rotate-master-key the restarted
 * server reads every file, and the old key no longer opens them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { openDatabase } from '../../src/db/open.js';
import { startServerProcess, type ServerProcess } from '../fixtures/server-process.js';
import { admin, adminEnv, download, runAdmin, treeHashes } from './admin-harness.js';

/** A small tree: nested folders, empty and multi-block files, a name with spaces and non-ASCII. */
async function makeTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'photos', '2024'), { recursive: true });
  await mkdir(join(dir, 'empty folder'), { recursive: true });
  await mkdir(join(dir, 'docs'), { recursive: true });
  await writeFile(join(dir, 'readme.txt'), 'hello\n'.repeat(1000));
  await writeFile(join(dir, 'docs', 'empty.txt'), '');
  await writeFile(join(dir, 'docs', 'Übersicht 한국어.md'), '# notes\n'.repeat(500));
  await writeFile(join(dir, 'photos', '2024', 'big.bin'), randomBytes(1536 * 1024 + 3));
  for (let i = 0; i < 20; i++) await writeFile(join(dir, 'photos', `p${i}.jpg`), randomBytes(1000 + i * 3000));
  await writeFile(join(dir, 'photos', 'dup.jpg'), await readFile(join(dir, 'photos', 'p3.jpg')));
}

async function anyFileUnder(dir: string): Promise<string> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) return join(e.parentPath, e.name);
  }
  throw new Error(`no file under ${dir}`);
}

describe('coffer-admin import, export, verify, rotate-master-key', () => {
  let srv: ServerProcess | undefined;
  let tmp: TempDir | undefined;
  afterAll(async () => {
    await srv?.cleanup();
    await tmp?.remove();
  });

  it('round-trips a tree, verifies it, rotates the master key, and finds injected damage', async () => {
    srv = await startServerProcess({ backend: 'pglite' });
    await srv.kill('SIGTERM');
    tmp = await makeTempDir('coffer-admin-data-');
    const src = join(tmp.path, 'src');
    await makeTree(src);
    const env = adminEnv(srv);

    const imported = await admin(['import', src, '--user', srv.username, '--to', '/imported'], env);
    expect(imported).toMatch(/imported 25 files .* and 4 folders/);
    const out = join(tmp.path, 'out');
    expect(await admin(['export', srv.username, out, '--from', '/imported'], env)).toContain('exported 25 files');
    const want = await treeHashes(src);
    expect(await treeHashes(out)).toEqual(want);
    // Kept to the millisecond (what the database holds).
    expect(Math.abs((await stat(join(out, 'readme.txt'))).mtimeMs - (await stat(join(src, 'readme.txt'))).mtimeMs)).toBeLessThan(1);
    expect((await readdir(join(out, 'empty folder'))).length).toBe(0);
    const notEmpty = await runAdmin(['export', srv.username, out], env);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toContain('is not empty');

    const clean = await admin(['verify', '--read-data'], env);
    expect(clean).toMatch(/checking 25 files, 25 versions, \d+ blocks, \d+ shards/);
    expect(clean).toContain('no problems found');

    // Rotation: every file reads back with the new key; the old one opens nothing.
    const oldKey = await readFile(join(srv.dataDir, 'keys', 'master.key'));
    const newKeyFile = join(tmp.path, 'new-master.key');
    await writeFile(newKeyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    expect(await admin(['rotate-master-key', '--new-key-file', newKeyFile], env)).toMatch(/re-wrapped [1-9]\d* data keys/);
    expect((await readFile(join(srv.dataDir, 'keys', 'master.key'), 'utf8')).trim()).toBe((await readFile(newKeyFile, 'utf8')).trim());
    const same = await runAdmin(['rotate-master-key', '--new-key-file', newKeyFile], env);
    expect(same.code).toBe(1);
    await srv.restart();
    for (const [rel, hash] of want) {
      const body = await download(srv, `/imported/${rel}`);
      expect((await import('node:crypto')).createHash('sha256').update(body).digest('hex'), rel).toBe(hash);
    }
    await srv.kill('SIGTERM');
    const newKey = await readFile(join(srv.dataDir, 'keys', 'master.key'));
    await writeFile(join(srv.dataDir, 'keys', 'master.key'), oldKey, { mode: 0o600 });
    await srv.restart();
    const refused = await srv.call('GET', `/api/v1/download?path=${encodeURIComponent('/imported/readme.txt')}`, { headers: srv.auth });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    await srv.kill('SIGTERM');
    await writeFile(join(srv.dataDir, 'keys', 'master.key'), newKey, { mode: 0o600 });

    // A shard object gone from a node: found by reading the data.
    await unlink(await anyFileUnder(join(srv.dataDir, 'nodes')));
    const shardGone = await runAdmin(['verify', '--read-data'], env);
    expect(shardGone.code, shardGone.stdout + shardGone.stderr).toBe(1);
    expect(shardGone.stdout).toMatch(/problem: block \w+: missing shards/);

    // A block row removed: found from the metadata alone.
    const database = await openDatabase({ dataDir: srv.dataDir });
    try {
      await database.db.execute(sql`delete from blocks where key = (select block_key from version_blocks limit 1)`);
    } finally {
      await database.close();
    }
    const rowGone = await runAdmin(['verify'], env);
    expect(rowGone.code).toBe(1);
    expect(rowGone.stdout).toMatch(/problem: file \S+ rev 1: block \w+ is not in the blocks table/);
    await rm(out, { recursive: true, force: true });
  }, 600_000);
});
