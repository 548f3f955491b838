/**
 * The metadata database on both backends: the real PostgreSQL and embedded PGlite, with the
 * storage engine running over it.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockIds, BlockStore, FsNode, KeyError, MasterKey, NodePool, type BlockRecord } from '@coffer/storage-engine';
import { DbBlockMetadata } from '../src/db/block-metadata.js';
import { DbKeyProvider } from '../src/db/key-provider.js';
import { openDatabase, type Database } from '../src/db/open.js';
import { freshPostgresDatabase } from './fixtures/postgres.js';
import { useTempDir, withTempDir } from '@coffer/test-support/temp-dir';

function record(key: string, nodes = ['a', 'b', 'c']): BlockRecord {
  return {
    key,
    namespace: 'ns1',
    hash: 'ab'.repeat(32),
    size: 1000,
    frameSize: 1056,
    generation: 'g1',
    layout: { kind: 'rs', k: 2, m: 1 },
    tier: 'hot',
    shards: nodes.map((nodeId, index) => ({ index, nodeId, checksum: 4_000_000_000 + index })),
  };
}

for (const backend of ['postgres', 'pglite'] as const) {
  describe(`metadata database on ${backend}`, () => {
    let database: Database;
    const dir = useTempDir('coffer-db-');
    let dropPg: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      if (backend === 'postgres') {
        const pg = await freshPostgresDatabase();
        dropPg = pg.drop;
        database = await openDatabase({ url: pg.url, dataDir: dir() });
      } else {
        database = await openDatabase({ dataDir: dir() });
      }
    }, 60_000);

    afterAll(async () => {
      await database?.close();
      await dropPg?.();
    });

    it('keeps versions read-only and live names unique per folder, case-insensitively', async () => {
      const { files, fileVersions } = await import('../src/db/schema.js');
      const { eq } = await import('drizzle-orm');
      const { nameKey } = await import('../src/names.js');
      const ns = randomUUID();
      const [dir1] = await database.db.insert(files).values({ namespaceId: ns, name: 'Docs', nameKey: nameKey('Docs'), isDir: true }).returning();
      const [f] = await database.db.insert(files).values({ namespaceId: ns, parentId: dir1!.id, name: 'Foo.txt', nameKey: nameKey('Foo.txt') }).returning();
      await expect(database.db.insert(files).values({ namespaceId: ns, parentId: dir1!.id, name: 'foo.TXT', nameKey: nameKey('foo.TXT') })).rejects.toThrow();
      await expect(database.db.insert(files).values({ namespaceId: ns, name: 'docs', nameKey: nameKey('docs') })).rejects.toThrow();
      // The same name at the root, or beside a trashed entry, is fine.
      await database.db.insert(files).values({ namespaceId: ns, name: 'Foo.txt', nameKey: nameKey('Foo.txt') });
      await database.db.update(files).set({ trashedAt: new Date() }).where(eq(files.id, f!.id));
      await database.db.insert(files).values({ namespaceId: ns, parentId: dir1!.id, name: 'FOO.txt', nameKey: nameKey('FOO.txt') });

      const [v] = await database.db.insert(fileVersions).values({ fileId: f!.id, rev: 1, size: 3, contentHash: 'x' }).returning();
      await expect(database.db.update(fileVersions).set({ size: 4 }).where(eq(fileVersions.id, v!.id))).rejects.toThrow();
      const [again] = await database.db.select().from(fileVersions).where(eq(fileVersions.id, v!.id));
      expect(again!.size).toBe(3);
    });

    it('stores, finds, updates and deletes block records (checksums are unsigned 32-bit)', async () => {
      const meta = new DbBlockMetadata(database.db);
      expect(await meta.getBlock('k1')).toBeUndefined();
      expect(await meta.insertBlock(record('k1'))).toBeUndefined();
      expect(await meta.getBlock('k1')).toEqual(record('k1'));
      await meta.updateShards('k1', [{ index: 0, nodeId: 'd', checksum: 1 }], 'cold');
      const updated = await meta.getBlock('k1');
      expect(updated?.shards).toEqual([{ index: 0, nodeId: 'd', checksum: 1 }]);
      expect(updated?.tier).toBe('cold');
      expect(await meta.blocksOnNode('d')).toEqual(['k1']);
      await meta.deleteBlock('k1');
      expect(await meta.getBlock('k1')).toBeUndefined();
      expect(await meta.blocksOnNode('d')).toEqual([]);
    });

    it('keeps where a packed shard sits (pack object, offset, length) through insert, update and relocation', async () => {
      const meta = new DbBlockMetadata(database.db);
      const packed = record('kp');
      packed.shards[1]!.pack = { object: 'packs/00aa.pack', offset: 5_000_000_000, length: 712 };
      expect(await meta.insertBlock(packed)).toBeUndefined();
      expect(await meta.getBlock('kp')).toEqual(packed);
      expect((await meta.getBlock('kp'))!.shards[0]!.pack).toBeUndefined(); // an unpacked shard has none
      const moved = [{ index: 0, nodeId: 'e', checksum: 2, pack: { object: 'packs/00bb.pack', offset: 20, length: 90 } }];
      await meta.updateShards('kp', moved);
      expect((await meta.getBlock('kp'))!.shards).toEqual(moved);
      const to = { tier: 'cold' as const, layout: { kind: 'replica' as const, copies: 1 }, generation: 'g2', shards: [{ index: 0, nodeId: 'f', checksum: 3, pack: { object: 'packs/00cc.pack', offset: 0, length: 64 } }] };
      expect(await meta.relocateBlock('kp', 'g1', to)).toBe(true);
      expect((await meta.getBlock('kp'))!.shards).toEqual(to.shards);
      await meta.deleteBlock('kp');
    });

    it('looks up many block records in one call, leaving out the keys it does not have', async () => {
      const meta = new DbBlockMetadata(database.db);
      const packed = record('km2');
      packed.shards[0]!.pack = { object: 'packs/00dd.pack', offset: 7, length: 100 };
      await meta.insertBlock(record('km1'));
      await meta.insertBlock(packed);
      const found = await meta.getBlocks(['km1', 'nope', 'km2']);
      expect([...found.keys()].sort()).toEqual(['km1', 'km2']);
      expect(found.get('km1')).toEqual(record('km1'));
      expect(found.get('km2')).toEqual(packed);
      expect((await meta.getBlocks([])).size).toBe(0);
      await meta.deleteBlock('km1');
      await meta.deleteBlock('km2');
    });

    it('two concurrent inserts of one block: exactly one wins, the other gets its record', async () => {
      const meta = new DbBlockMetadata(database.db);
      const results = await Promise.all([meta.insertBlock(record('race', ['a', 'b', 'c'])), meta.insertBlock(record('race', ['x', 'y', 'z']))]);
      expect(results.filter((r) => r === undefined)).toHaveLength(1);
      const stored = await meta.getBlock('race');
      expect(results.find((r) => r !== undefined)).toEqual(stored);
    });

    it('inserts and reads arriving together (one statement each) answer each call as alone would', async () => {
      const meta = new DbBlockMetadata(database.db);
      expect(await meta.insertBlock(record('many-old', ['o', 'p', 'q']))).toBeUndefined();
      const fresh = Array.from({ length: 40 }, (_, i) => record(`many-${String(i).padStart(2, '0')}`));
      const answers = await Promise.all([...fresh, record('many-old')].map((r) => meta.insertBlock(r)));
      expect(answers.slice(0, 40)).toEqual(fresh.map(() => undefined));
      // The key that existed answers its stored record (the first insert's nodes), not the newcomer's.
      expect(answers[40]).toEqual(record('many-old', ['o', 'p', 'q']));
      const read = await Promise.all(['many-07', 'many-none', 'many-old', 'many-07'].map((k) => meta.getBlock(k)));
      expect(read).toEqual([fresh[7], undefined, record('many-old', ['o', 'p', 'q']), fresh[7]]);
      for (const r of [...fresh, record('many-old')]) await meta.deleteBlock(r.key);
    });

    it('creates one data key per namespace even when first used concurrently, and rotates the master', async () => {
      const m1 = MasterKey.fromBytes(randomBytes(32));
      const providers = [new DbKeyProvider(database.db, m1), new DbKeyProvider(database.db, m1), new DbKeyProvider(database.db, m1)];
      const keys = await Promise.all(providers.map((p) => p.currentKey('ns-keys')));
      expect(new Set(keys.map((k) => k.id.toString('hex'))).size).toBe(1);
      expect((await providers[0]!.keyById('ns-keys', keys[0]!.id)).key.equals(keys[0]!.key)).toBe(true);
      await expect(providers[0]!.keyById('ns-keys', randomBytes(16))).rejects.toBeInstanceOf(KeyError);

      const m2 = MasterKey.fromBytes(randomBytes(32));
      expect(await providers[0]!.rotateMaster(m2)).toBeGreaterThanOrEqual(1);
      await expect(new DbKeyProvider(database.db, m1).currentKey('ns-keys')).rejects.toBeInstanceOf(KeyError);
      const after = await new DbKeyProvider(database.db, m2).keyById('ns-keys', keys[0]!.id);
      expect(after.key.equals(keys[0]!.key)).toBe(true);
    });

    it('runs the storage engine: put, get, dedup and repair with metadata in the database', async () => {
      const nodes = [0, 1, 2].map((i) => new FsNode(`fs-${i}`, join(dir(), `node-${i}`)));
      const master = MasterKey.fromBytes(randomBytes(32));
      const store = new BlockStore({
        pool: new NodePool(nodes.map((node) => ({ node, tier: 'hot' as const }))),
        metadata: new DbBlockMetadata(database.db),
        keys: new DbKeyProvider(database.db, master),
        ids: new BlockIds(randomBytes(32)),
      });
      const data = randomBytes(700_000);
      const put = await store.put('ns-engine', data);
      expect(put.stored).toBe(true);
      expect((await store.put('ns-engine', data)).stored).toBe(false);
      expect((await store.get(put.key)).equals(data)).toBe(true);
      await rm(join(dir(), 'node-1'), { recursive: true, force: true });
      await (await import('node:fs/promises')).mkdir(join(dir(), 'node-1'));
      const repaired = await store.repair(put.key);
      expect(repaired.remaining).toEqual([]);
      expect((await store.get(put.key)).equals(data)).toBe(true);

      // Small blocks go into packs; their places come back from the database and read by range.
      const small = Array.from({ length: 30 }, () => randomBytes(700));
      const keys = await Promise.all(small.map(async (b) => (await store.put('ns-engine', b)).key));
      const fresh = new DbBlockMetadata(database.db);
      for (const [i, key] of keys.entries()) {
        expect((await fresh.getBlock(key))!.shards.every((s) => s.pack !== undefined)).toBe(true);
        expect((await store.get(key)).equals(small[i]!)).toBe(true);
      }
    });
  });
}

describe('embedded database lock', () => {
  it('refuses a second process on the same directory, and takes over a dead owner\'s lock', async () => {
    await withTempDir('coffer-lock-', async (dir) => {
      const first = await openDatabase({ dataDir: dir });
      try {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e', `import('./server/src/db/open.ts').then(m => m.openDatabase({ dataDir: ${JSON.stringify(dir)} })).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); })`], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const code = await new Promise<number | null>((r) => child.on('exit', r));
        expect(code).toBe(3);
        expect(err).toMatch(/in use by process/);
      } finally {
        await first.close();
      }
      // A lock left behind by a process that died is taken over.
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(dir, 'pglite.lock'), '999999');
      const again = await openDatabase({ dataDir: dir });
      try {
        // The memory budget (db/open.ts PGLITE_MEMORY): PGlite's own default is 128MB of buffers.
        const [row] = await again.db.$raw!("select current_setting('shared_buffers') as sb, current_setting('maintenance_work_mem') as mwm", []);
        expect(row).toEqual({ sb: '16MB', mwm: '16MB' });
      } finally {
        await again.close();
      }
    });
  }, 60_000);
});
