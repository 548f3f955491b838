/**
 * Upgrading a database of the version that named nodes by position: migration 0007_nodes knows
 * every node that holds shards (s3-N, cold-N, local-N) and keeps a drained node draining; the
 * first boot on the same plain list records where each node is; a list that lost an entry is
 * refused, with the hint which position a name stood for.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MasterKey, NodePool } from '@coffer/storage-engine';
import { loadConfig } from '../src/config.js';
import { DbKeyProvider } from '../src/db/key-provider.js';
import type { Db } from '../src/db/open.js';
import { NodeConfigError } from '../src/nodes/reconcile.js';
import { NodeRegistry } from '../src/nodes/registry.js';
import { freshPostgresDatabase } from './fixtures/postgres.js';
import { makeTempDir, useTempDir } from '@coffer/test-support/temp-dir';

const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

describe('upgrading from positional node ids', () => {
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let client: postgres.Sql;
  const older = useTempDir('coffer-migr-');
  beforeAll(async () => {
    pg = await freshPostgresDatabase();
    client = postgres(pg.url, { max: 2, onnotice: () => {} });
    // The migrations as they were before 0007_nodes.
    await cp(MIGRATIONS, older(), { recursive: true });
    const journal = JSON.parse(await readFile(join(older(), 'meta', '_journal.json'), 'utf8'));
    journal.entries = journal.entries.filter((e: { tag: string }) => e.tag !== '0007_nodes');
    await writeFile(join(older(), 'meta', '_journal.json'), JSON.stringify(journal));
  });
  afterAll(async () => {
    await client?.end();
    await pg?.drop();
  });

  it('knows the old nodes, keeps a drained one draining, and adopts the same list on first boot', async () => {
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: older() });
    await client`select 1 from nodes`.then(
      () => expect.unreachable('the nodes table exists before 0007'),
      () => undefined,
    );
    const layout = { kind: 'rs', k: 2, m: 1 };
    for (const [key, tier, nodes] of [
      ['k1', 'hot', ['s3-0', 's3-1', 's3-2']],
      ['k2', 'hot', ['s3-1', 's3-2', 's3-3']],
      ['k3', 'cold', ['cold-0', 'cold-1', 'cold-2']],
      ['k4', 'hot', ['local-0', 'local-1', 'local-2']],
    ] as const) {
      await client`insert into blocks (key, namespace_id, hash, size, frame_size, generation, layout, tier)
                   values (${key}, 'ns', 'h', 1, 1, 'g', ${JSON.stringify(layout)}::jsonb, ${tier})`;
      for (const [i, node] of nodes.entries()) await client`insert into block_shards (block_key, index, node_id, checksum) values (${key}, ${i}, ${node}, 0)`;
    }
    // s3-4 was drained empty (a drain job, done); s3-3 was drained and then rebalanced onto again.
    await client`insert into jobs (kind, state, payload, created_at) values ('drain', 'done', ${JSON.stringify({ nodeId: 's3-4' })}::jsonb, now() - interval '2 minutes')`;
    await client`insert into jobs (kind, state, payload, created_at) values ('drain', 'done', ${JSON.stringify({ nodeId: 's3-3' })}::jsonb, now() - interval '2 minutes')`;
    await client`insert into jobs (kind, state, payload, created_at) values ('rebalance', 'done', ${JSON.stringify({ nodeId: 's3-3' })}::jsonb, now() - interval '1 minute')`;

    await migrate(db, { migrationsFolder: MIGRATIONS });
    const rows = await client<{ name: string; tier: string; kind: string; endpoint: string | null; state: string; origin: string }[]>`
      select name, tier, kind, endpoint, state, origin from nodes order by name`;
    expect(rows.map((r) => [r.name, r.tier, r.kind, r.endpoint, r.state, r.origin])).toEqual([
      ['cold-0', 'cold', 's3', null, 'active', 'config'],
      ['cold-1', 'cold', 's3', null, 'active', 'config'],
      ['cold-2', 'cold', 's3', null, 'active', 'config'],
      ['local-0', 'hot', 'local', 'nodes/node-0', 'active', 'embedded'],
      ['local-1', 'hot', 'local', 'nodes/node-1', 'active', 'embedded'],
      ['local-2', 'hot', 'local', 'nodes/node-2', 'active', 'embedded'],
      ['s3-0', 'hot', 's3', null, 'active', 'config'],
      ['s3-1', 'hot', 's3', null, 'active', 'config'],
      ['s3-2', 'hot', 's3', null, 'active', 'config'],
      ['s3-3', 'hot', 's3', null, 'active', 'config'],
      ['s3-4', 'hot', 's3', null, 'draining', 'config'],
    ]);

    // Boot on the old plain lists (nothing listens there: a node down at boot does not stop it).
    const appDb = drizzle(client) as unknown as Db;
    const data = await makeTempDir('coffer-migr-data-');
    const dataDir = data.path;
    const url = (i: number, b = 'hot') => `http://K:S@127.0.0.1:${9 + i}/${b}?timeoutMs=200&retries=0`;
    const boot = (hot: number[], cold: number[]) => {
      const config = loadConfig({ COFFER_DATA_DIR: dataDir, COFFER_NODES: hot.map((i) => url(i)).join(','), COFFER_COLD_NODES: cold.map((i) => url(i, 'cold')).join(',') });
      const pool = new NodePool([]);
      const keys = new DbKeyProvider(appDb, MasterKey.fromBytes(Buffer.alloc(32, 1)));
      return { pool, booted: new NodeRegistry(appDb, pool, keys, dataDir, () => {}).boot(config.nodes) };
    };
    try {
      // The list without its fifth entry (s3-4, drained but never retired): refused.
      const short = boot([0, 1, 2, 3], [0, 1, 2]);
      const err = await short.booted.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NodeConfigError);
      expect((err as Error).message).toContain('node "s3-4" (hot, endpoint not yet recorded, draining) holds no shards but is not retired');
      expect((err as Error).message).toContain('"s3-4" was entry 5 of COFFER_NODES then; keep that name for that URL');
      expect((await client`select count(*)::int as n from nodes where endpoint like 'http%'`)[0]!.n).toBe(0); // a refusal writes nothing

      const full = boot([0, 1, 2, 3, 4], [0, 1, 2]);
      await full.booted;
      expect(full.pool.all().map((n) => [n.id, full.pool.tierOf(n.id), full.pool.state(n.id)])).toEqual([
        ['s3-0', 'hot', 'up'],
        ['s3-1', 'hot', 'up'],
        ['s3-2', 'hot', 'up'],
        ['s3-3', 'hot', 'up'],
        ['s3-4', 'hot', 'draining'],
        ['cold-0', 'cold', 'up'],
        ['cold-1', 'cold', 'up'],
        ['cold-2', 'cold', 'up'],
        ['local-0', 'hot', 'up'],
        ['local-1', 'hot', 'up'],
        ['local-2', 'hot', 'up'],
      ]);
      const recorded = await client<{ name: string; endpoint: string }[]>`select name, endpoint from nodes where name like 's3-%' order by name`;
      expect(recorded.map((r) => r.endpoint)).toEqual([0, 1, 2, 3, 4].map((i) => `http://127.0.0.1:${9 + i}/hot`));
      for (const n of full.pool.all()) (n as { close?: () => void }).close?.();

      // From now on a shifted plain list is caught: s3-1's place now holds s3-2's bucket.
      const shifted = boot([0, 2, 3, 4], [0, 1, 2]);
      const again = await shifted.booted.catch((e: unknown) => e);
      expect(again).toBeInstanceOf(NodeConfigError);
      expect((again as Error).message).toContain('gives "s3-1" the endpoint of node "s3-2"');
    } finally {
      await data.remove();
    }
  }, 60_000);
});
