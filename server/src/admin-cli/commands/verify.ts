/**
 * `coffer-admin verify [--read-data]`, in the spirit of `restic check`: every version's block list
 * resolves to stored blocks and covers the version's size, every block has metadata for each of
 * its shards on a known node; with --read-data every shard is read and checked (the engine's
 * verify: header CRCs, payload checksum, the node's copy present). Prints counts and each problem;
 * exit code 1 when there is any.
 */
import { sql } from 'drizzle-orm';
import { shardCount, type Layout } from '@coffer/storage-engine';
import { rowsOf, type Db } from '../../db/open.js';
import { openInstallWithStorage, parse, print } from '../context.js';

/** Problems printed one by one up to this many, then counted. */
const SHOWN = 200;

export async function verify(args: string[]): Promise<number> {
  const { values } = parse(args, { 'read-data': { type: 'boolean' } }, { min: 0, max: 0, usage: 'verify [--read-data]' });
  const install = await openInstallWithStorage();
  const problems: string[] = [];
  const report = (p: string) => {
    if (problems.length < SHOWN) print(`problem: ${p}`);
    problems.push(p);
  };
  try {
    const { db } = install.database;
    const counts = await countsOf(db);
    print(`checking ${counts.files} files, ${counts.versions} versions, ${counts.blocks} blocks, ${counts.shards} shards`);
    await checkBlockLists(db, report);
    const known = new Set(install.storage.nodes.map((n) => n.id));
    await checkShards(db, known, report);
    if (values['read-data']) {
      let read = 0;
      for (const key of await allBlocks(db)) {
        const r = await install.storage.blocks.verify(key).catch((err: unknown) => ({ error: (err as Error).message }));
        if ('error' in r) report(`block ${key}: ${r.error}`);
        else if (!r.ok) {
          const what = [r.damaged.length ? `damaged shards ${r.damaged.join(',')}` : '', r.missing.length ? `missing shards ${r.missing.join(',')}` : '', r.unavailable.length ? `shards on unreachable nodes ${r.unavailable.join(',')}` : '']
            .filter(Boolean)
            .join('; ');
          report(`block ${key}: ${what || 'shards share a node'}`);
        }
        read++;
      }
      print(`read and checked the shards of ${read} blocks`);
    }
  } finally {
    await install.close();
  }
  if (problems.length > SHOWN) print(`… and ${problems.length - SHOWN} more problems`);
  print(problems.length === 0 ? 'no problems found' : `${problems.length} problems found`);
  return problems.length === 0 ? 0 : 1;
}

async function countsOf(db: Db) {
  const [row] = rowsOf<{ files: number; versions: number; blocks: number; shards: number }>(
    await db.execute(sql`select
      (select count(*)::int from files where not is_dir) as files,
      (select count(*)::int from file_versions) as versions,
      (select count(*)::int from blocks) as blocks,
      (select count(*)::int from block_shards) as shards`),
  );
  return row!;
}

/** Each version: its blocks exist, its ordinals run 0…n-1 with no gap, offsets and lengths add up to its size. */
async function checkBlockLists(db: Db, report: (p: string) => void): Promise<void> {
  const missing = rowsOf<{ file_id: string; rev: number; block_key: string }>(
    await db.execute(sql`select v.file_id, v.rev, vb.block_key from version_blocks vb
      join file_versions v on v.id = vb.version_id
      left join blocks b on b.key = vb.block_key where b.key is null order by v.file_id, v.rev`),
  );
  for (const m of missing) report(`file ${m.file_id} rev ${m.rev}: block ${m.block_key} is not in the blocks table`);
  const uneven = rowsOf<{ file_id: string; rev: number; size: number; covered: number; n: number; last: number }>(
    await db.execute(sql`select v.file_id, v.rev, v.size, coalesce(sum(vb.length), 0)::bigint as covered,
        count(vb.ordinal)::int as n, coalesce(max(vb.ordinal), -1)::int as last
      from file_versions v left join version_blocks vb on vb.version_id = v.id
      group by v.id, v.file_id, v.rev, v.size
      having coalesce(sum(vb.length), 0) <> v.size or count(vb.ordinal) <> coalesce(max(vb.ordinal), -1) + 1`),
  );
  for (const u of uneven) report(`file ${u.file_id} rev ${u.rev}: its ${u.n} blocks cover ${u.covered} of ${u.size} bytes (or skip an ordinal)`);
}

/** Each block: a shard row for every index of its layout, each on a node this install has. */
async function checkShards(db: Db, known: Set<string>, report: (p: string) => void): Promise<void> {
  const rows = rowsOf<{ key: string; layout: Layout; indexes: number[] | null; nodes: string[] | null }>(
    await db.execute(sql`select b.key, b.layout, array_agg(s.index order by s.index) filter (where s.index is not null) as indexes,
        array_agg(s.node_id) filter (where s.node_id is not null) as nodes
      from blocks b left join block_shards s on s.block_key = b.key group by b.key, b.layout`),
  );
  for (const r of rows) {
    const layout = typeof r.layout === 'string' ? (JSON.parse(r.layout) as Layout) : r.layout;
    const have = new Set(r.indexes ?? []);
    const lacking = Array.from({ length: shardCount(layout) }, (_, i) => i).filter((i) => !have.has(i));
    if (lacking.length) report(`block ${r.key}: no shard metadata for shard ${lacking.join(',')}`);
    const strangers = [...new Set((r.nodes ?? []).filter((n) => !known.has(n)))];
    if (strangers.length) report(`block ${r.key}: shards on nodes this install does not have (${strangers.join(', ')})`);
  }
}

async function allBlocks(db: Db): Promise<string[]> {
  return rowsOf<{ key: string }>(await db.execute(sql`select key from blocks order by key`)).map((r) => r.key);
}
