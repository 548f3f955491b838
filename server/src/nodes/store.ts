/** The `nodes` table and the shard counts the node rules need: every statement of server/src/nodes. */
import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Tier } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import { blockShards, nodes, type NodeLifecycle } from '../db/schema.js';

export type NodeRow = typeof nodes.$inferSelect;

export async function listNodeRows(db: Db): Promise<NodeRow[]> {
  return db.select().from(nodes).orderBy(asc(nodes.tier), asc(nodes.name));
}

export async function getNodeRow(db: Db, name: string): Promise<NodeRow | undefined> {
  const [row] = await db.select().from(nodes).where(eq(nodes.name, name));
  return row;
}

/** Shards recorded on each named node (an index range count each: only for a few nodes). */
export async function shardCounts(db: Db, names: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of names) {
    const [row] = await db.select({ n: count() }).from(blockShards).where(eq(blockShards.nodeId, name));
    out.set(name, Number(row?.n ?? 0));
  }
  return out;
}

/** Boot's writes, in one transaction: new nodes, and endpoints recorded or moved. */
export async function applyBootWrites(
  db: Db,
  inserts: readonly { name: string; tier: Tier; kind: 'local' | 's3'; endpoint: string }[],
  updates: readonly { name: string; endpoint?: string; clearSealed?: true }[],
): Promise<void> {
  if (inserts.length === 0 && updates.length === 0) return;
  await db.transaction(async (tx) => {
    // Another instance booting at once may have added the same node: the first row stands.
    if (inserts.length > 0) {
      const rows = inserts.map((r) => ({ ...r, origin: r.kind === 'local' ? ('embedded' as const) : ('config' as const) }));
      await tx.insert(nodes).values(rows).onConflictDoNothing();
    }
    for (const u of updates) {
      await tx
        .update(nodes)
        .set({
          ...(u.endpoint !== undefined ? { endpoint: u.endpoint } : {}),
          ...(u.clearSealed ? { sealedUrl: null, origin: 'config' as const } : {}),
          updatedAt: sql`now()`,
        })
        .where(eq(nodes.name, u.name));
    }
  });
}

/** A node added through the admin API; false when the name is taken (in any state). */
export async function insertAddedNode(db: Db, row: { name: string; tier: Tier; endpoint: string; sealedUrl: string }): Promise<boolean> {
  const inserted = await db
    .insert(nodes)
    .values({ ...row, kind: 's3', origin: 'api' })
    .onConflictDoNothing()
    .returning({ name: nodes.name });
  return inserted.length > 0;
}

export async function deleteNodeRow(db: Db, name: string): Promise<void> {
  await db.delete(nodes).where(eq(nodes.name, name));
}

/** Live nodes (not retired) at this endpoint. */
export async function liveNodesAt(db: Db, endpoint: string): Promise<string[]> {
  const rows = await db
    .select({ name: nodes.name })
    .from(nodes)
    .where(and(eq(nodes.endpoint, endpoint), ne(nodes.state, 'retired')));
  return rows.map((r) => r.name);
}

/** Set a live node's state (draining ↔ active); false when it is unknown or retired. */
export async function setLiveState(db: Db, name: string, state: 'active' | 'draining'): Promise<boolean> {
  const rows = await db
    .update(nodes)
    .set({ state, updatedAt: sql`now()` })
    .where(and(eq(nodes.name, name), inArray(nodes.state, ['active', 'draining'])))
    .returning({ name: nodes.name });
  return rows.length > 0;
}

export type RetireOutcome =
  | { ok: true; row: NodeRow }
  | { ok: false; reason: 'unknown' | 'retired' | 'not_draining' | 'last_hot' }
  | { ok: false; reason: 'has_shards'; shards: number };

/**
 * Retire a drained node, in one transaction: the row is locked, so two retirements (or a drain
 * request) cannot interleave; the node must be draining (no new shard lands on it), hold no
 * shard, and not be the hot tier's last active node.
 */
export async function retireNodeRow(db: Db, name: string): Promise<RetireOutcome> {
  return db.transaction(async (tx): Promise<RetireOutcome> => {
    const [row] = await tx.select().from(nodes).where(eq(nodes.name, name)).for('update');
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.state === 'retired') return { ok: false, reason: 'retired' };
    if (row.state !== 'draining') return { ok: false, reason: 'not_draining' };
    const [held] = await tx.select({ n: count() }).from(blockShards).where(eq(blockShards.nodeId, name));
    const shards = Number(held?.n ?? 0);
    if (shards > 0) return { ok: false, reason: 'has_shards', shards };
    if (row.tier === 'hot') {
      const [others] = await tx
        .select({ n: count() })
        .from(nodes)
        .where(and(eq(nodes.tier, 'hot'), eq(nodes.state, 'active' satisfies NodeLifecycle)));
      if (Number(others?.n ?? 0) === 0) return { ok: false, reason: 'last_hot' };
    }
    const [retired] = await tx
      .update(nodes)
      .set({ state: 'retired', sealedUrl: null, retiredAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(nodes.name, name))
      .returning();
    return { ok: true, row: retired! };
  });
}
