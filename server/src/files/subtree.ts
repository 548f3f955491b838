/**
 * Whole subtrees and many paths at once, in single recursive queries (a folder can hold
 * thousands of entries: never one query per entry), and the lock that keeps the tree a tree.
 */
import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/open.js';

/** Arbitrary constant: first key of the per-namespace advisory lock on the tree's shape. */
const TREE_LOCK_CLASS = 0x74726565; // 'tree'
/** Deeper than any valid path (names.ts MAX_PATH_DEPTH): a bound, so even corrupt data cannot loop. */
const MAX_DEPTH = 1000;

/**
 * Serialise structural changes (move, copy, delete, restore, purge, mkdir) within one namespace,
 * until the transaction ends. Without it, two concurrent moves ('A into B' and 'B into A') both
 * pass the into-itself check and commit a cycle cut off from the root, and a folder trashed while
 * something moves into it would leave a live entry inside the trash. Call it first in the
 * transaction: under READ COMMITTED every later statement then sees what the previous holder
 * committed. A hash collision between namespaces only costs some extra waiting.
 */
export async function lockTree(tx: Db, namespaceId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${TREE_LOCK_CLASS}, hashtext(${namespaceId}))`);
}

export interface SubtreeOptions {
  /** Only follow live (not trashed) children. */
  live?: boolean;
  /** Only follow children trashed at the same instant as their parent (what one delete trashed). */
  sameTrashTime?: boolean;
}

/**
 * `with recursive sub(id, trashed_at, depth) as (…)`: the rows matching `seed` and everything
 * below them, for use as `${subtree(…)} select … where id in (select id from sub)`. Overlapping
 * seeds may yield an id twice (at two depths): select with `in`, never join and sum. The depth
 * bound ends recursion even on corrupt data.
 */
export function subtree(seed: SQL, opts: SubtreeOptions = {}): SQL {
  const follow = [sql`sub.depth < ${MAX_DEPTH}`];
  if (opts.live) follow.push(sql`f.trashed_at is null`);
  if (opts.sameTrashTime) follow.push(sql`f.trashed_at = sub.trashed_at`);
  return sql`with recursive sub(id, trashed_at, depth) as (
      select id, trashed_at, 0 from files where ${seed}
      union
      select f.id, f.trashed_at, sub.depth + 1 from files f join sub on f.parent_id = sub.id
      where ${sql.join(follow, sql` and `)}
    )`;
}

/** Seed for `subtree`: the one entry `id`. */
export function byId(id: string): SQL {
  return sql`id = ${id}`;
}

/** The live descendants of a folder (not the folder itself), parents before children. */
export interface DescendantRow {
  id: string;
  parentId: string;
  name: string;
  isDir: boolean;
  headVersionId: string | null;
  rev: number;
  size: number;
  contentHash: string | null;
  depth: number;
}

export async function liveDescendants(db: Db, folderId: string): Promise<DescendantRow[]> {
  const rows = rowsOf<{
    id: string;
    parent_id: string;
    name: string;
    is_dir: boolean;
    head_version_id: string | null;
    rev: number;
    size: string | number;
    content_hash: string | null;
    depth: number;
  }>(
    await db.execute(sql`${subtree(byId(folderId), { live: true })}
      select f.id, f.parent_id, f.name, f.is_dir, f.head_version_id, f.rev, f.size, f.content_hash, sub.depth
      from sub join files f on f.id = sub.id
      where sub.depth > 0
      order by sub.depth, f.name_key, f.id`),
  );
  return rows.map((r) => ({
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    isDir: r.is_dir,
    headVersionId: r.head_version_id,
    rev: Number(r.rev),
    size: Number(r.size),
    contentHash: r.content_hash,
    depth: Number(r.depth),
  }));
}

/** The latest trashed_at (whole milliseconds, rounded down) among an entry and its descendants, or null. */
export async function latestTrashTimeMs(db: Db, id: string): Promise<number | null> {
  const [row] = rowsOf<{ m: number | string | null }>(
    await db.execute(sql`${subtree(byId(id))}
      select floor(extract(epoch from max(trashed_at)) * 1000)::float8 as m from sub`),
  );
  return row?.m == null ? null : Number(row.m);
}

/** True when something live is directly in the folder (a delete that must not take contents along). */
export async function hasLiveChild(db: Db, namespaceId: string, folderId: string): Promise<boolean> {
  const rows = rowsOf(
    await db.execute(sql`select 1 as hit from files where namespace_id = ${namespaceId} and parent_id = ${folderId} and trashed_at is null limit 1`),
  );
  return rows.length > 0;
}

/** True when every folder from `folderId` up to the root is live (a restore needs its place back). */
export async function ancestorsLive(db: Db, folderId: string | null): Promise<boolean> {
  if (folderId === null) return true;
  const [row] = rowsOf<{ ok: boolean; found: number | string }>(
    await db.execute(sql`
      with recursive up(id, parent_id, trashed_at) as (
        select id, parent_id, trashed_at from files where id = ${folderId}
        union
        select f.id, f.parent_id, f.trashed_at from files f join up on f.id = up.parent_id
      )
      select coalesce(bool_and(trashed_at is null), false) as ok, count(*) as found from up`),
  );
  return !!row && row.ok && Number(row.found) > 0;
}

/** Paths of many entries in one query (ancestors may be trashed: the path is where they were). */
export async function pathsOf(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = rowsOf<{ start_id: string; path: string }>(
      await db.execute(sql`
        with recursive up(start_id, id, parent_id, name, depth) as (
          select id, id, parent_id, name, 0 from files where id in (${sql.join(chunk.map((id) => sql`${id}`), sql`, `)})
          union all
          select up.start_id, f.id, f.parent_id, f.name, up.depth + 1 from files f join up on f.id = up.parent_id
          where up.depth < ${MAX_DEPTH}
        )
        select start_id, '/' || string_agg(name, '/' order by depth desc) as path from up group by start_id`),
    );
    for (const r of rows) out.set(r.start_id, r.path);
  }
  return out;
}
