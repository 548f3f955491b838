/**
 * The recent and starred lists stay index range scans on a big tree: 100,000 files (and 20,000
 * stars) in one namespace, EXPLAINed with the statements the routes run (recentQuery), and timed
 * over HTTP, a first page and a deep one. PostgreSQL only: the plan is the point.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { recentQuery } from '../src/files/recent.js';
import { starredQuery } from '../src/files/stars.js';
import { useTestServer } from './fixtures/server.js';
import { apiAs, q } from './fixtures/seed.js';

const FILES = 100_000;

describe('recent files and stars at 100,000 files (postgres)', () => {
  const srv = useTestServer('postgres');

  it('answer from their indexes (no sort, no scan of the namespace), a page in milliseconds', async () => {
    const u = await srv.user();
    const noise = await srv.user();
    const { db } = srv.database;
    // 100k files of the user in 100 folders, changed at distinct instants, and as many of someone else's.
    for (const who of [u, noise]) {
      await db.execute(sql`insert into files (namespace_id, parent_id, name, name_key, is_dir)
        select ${who.namespaceId}::uuid, null, 'd' || g, 'd' || g, true from generate_series(1, 100) g`);
      await db.execute(sql`insert into files (namespace_id, parent_id, name, name_key, is_dir, rev, size, content_hash, modified_at)
        select ${who.namespaceId}::uuid, d.id, 'f' || g || '.txt', 'f' || g || '.txt', false, 1, 10, repeat('a', 64),
               now() - g * interval '1 second'
        from generate_series(1, ${FILES}) g
        join files d on d.namespace_id = ${who.namespaceId}::uuid and d.is_dir and d.name = 'd' || (g % 100 + 1)`);
    }
    await db.execute(sql`insert into stars (user_id, file_id, starred_at)
      select ${u.id}::uuid, id, now() - row_number() over (order by id) * interval '1 millisecond'
      from files where namespace_id = ${u.namespaceId}::uuid and not is_dir limit 20000`);
    await db.execute(sql`analyze files`);
    await db.execute(sql`analyze stars`);

    const user = { id: u.id, namespaceId: u.namespaceId } as Parameters<typeof recentQuery>[1];
    const plan = async (query: { toSQL(): { sql: string; params: unknown[] } }) => {
      const { sql: text, params } = query.toSQL();
      const rows = rowsOf<Record<string, string>>(await db.execute(sql.raw(`explain ${inline(text, params)}`)));
      return rows.map((r) => Object.values(r)[0]).join('\n');
    };
    const first = await plan(recentQuery(db, user, { limit: 50 }));
    const deep = await plan(recentQuery(db, user, { limit: 50, cursor: { t: String(Date.now() * 1000 - 90_000 * 1_000_000), i: '00000000-0000-0000-0000-000000000000' } }));
    console.log(`recent, first page:\n${first}\nrecent, deep page:\n${deep}`);
    for (const p of [first, deep]) {
      expect(p).toMatch(/Index Scan using files_recent/);
      expect(p).not.toMatch(/Sort|Seq Scan on files/);
    }
    const starred = await plan(starredQuery(db, u.id, { limit: 50 }));
    console.log(`starred, first page:\n${starred}`);
    expect(starred).toMatch(/Index (Only )?Scan using stars_user_time/);
    expect(starred).not.toMatch(/Sort|Seq Scan/);

    // Over HTTP: a first page, a page 90,000 files deep (by cursor), and the starred list.
    const a = apiAs(srv, u);
    let t0 = performance.now();
    const r1 = await a.get('/recent?limit=50');
    const firstMs = performance.now() - t0;
    expect(r1.body.entries).toHaveLength(50);
    expect(r1.body.entries[0].path).toBe('/d2/f1.txt');
    const cursor = Buffer.from(JSON.stringify({ t: String(BigInt(Date.parse(r1.body.entries[49].modifiedAt)) * 1000n - 89_950_000_000n), i: 'ffffffff-ffff-ffff-ffff-ffffffffffff' })).toString('base64url');
    t0 = performance.now();
    const r2 = await a.get(`/recent?limit=50&cursor=${q(cursor)}`);
    const deepMs = performance.now() - t0;
    expect(r2.status).toBe(200);
    expect(r2.body.entries).toHaveLength(50);
    t0 = performance.now();
    const s = await a.get('/starred?limit=50');
    const starredMs = performance.now() - t0;
    expect(s.body.entries).toHaveLength(50);
    console.log(`recent at ${FILES} files: first page ${firstMs.toFixed(1)} ms, deep page ${deepMs.toFixed(1)} ms; starred (20,000 stars) first page ${starredMs.toFixed(1)} ms`);
  }, 120_000);
});

/** The statement with its parameters written in (EXPLAIN takes no bind parameters here). */
function inline(text: string, params: unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = params[Number(n) - 1];
    return typeof v === 'number' || typeof v === 'boolean' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  });
}
