/**
 * Departing users (issue 23): an account deleted by an admin leaves its namespace to the
 * `departed` job, which after the grace (the trash period) purges its files, versions, journal,
 * blocks — their shard objects gone from every node — and last its data keys. Another account's
 * files are untouched. PostgreSQL and PGlite, three local-directory nodes.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { departedNamespaces } from '../src/db/schema.js';
import { filesUnder, runJob } from './fixtures/jobs.js';
import { apiAs } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const DAY = 86_400_000;

describe.each(BACKENDS)('departed accounts (%s)', (backend) => {
  const srv = useTestServer(backend);
  const count = async (table: string, ns: string) =>
    rowsOf<{ n: number }>(await srv.database.db.execute(sql`select count(*)::int as n from ${sql.raw(table)} where namespace_id::text = ${ns}`))[0]!.n;

  it('purges a deleted account’s files, blocks, shard objects and keys after the grace, and nothing else', async () => {
    const leaving = await srv.user();
    const staying = await srv.user();
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    const data = [randomBytes(600_000), randomBytes(250_000)];
    expect((await upload(srv.url, leaving.auth, '/a.bin', data[0]!)).status).toBe(201);
    expect((await upload(srv.url, leaving.auth, '/a.bin', data[1]!, '&overwrite=true')).status).toBe(201);
    expect((await apiAs(srv, leaving).post('/mkdir', { path: '/dir' })).status).toBe(201);
    expect((await upload(srv.url, leaving.auth, '/dir/b.bin', data[1]!)).status).toBe(201);
    expect((await upload(srv.url, staying.auth, '/same.bin', data[0]!)).status).toBe(201);

    const keys = rowsOf<{ key: string }>(await srv.database.db.execute(sql`select key from blocks where namespace_id = ${leaving.namespaceId}`)).map((r) => r.key);
    expect(keys.length).toBeGreaterThan(0);
    const shardFiles = async () => (await filesUnder(join(srv.dataDir, 'nodes'))).filter((p) => keys.some((k) => p.includes(k))).length;
    expect(await shardFiles()).toBeGreaterThanOrEqual(keys.length * 2);
    expect(await count('namespace_keys', leaving.namespaceId)).toBeGreaterThan(0);

    expect([200, 204]).toContain((await admin.del(`/admin/users/${leaving.id}`)).status);
    const [departed] = await srv.database.db.select().from(departedNamespaces).where(eq(departedNamespaces.namespaceId, leaving.namespaceId));
    expect(departed).toMatchObject({ username: leaving.username });

    const early = await runJob(srv, 'departed');
    expect(early.state).toBe('done');
    expect(await count('blocks', leaving.namespaceId)).toBe(keys.length);
    expect(await count('files', leaving.namespaceId)).toBe(3);

    const job = await runJob(srv, 'departed', { now: () => Date.now() + 31 * DAY });
    expect(job.state).toBe('done');
    expect(job.progress).toMatchObject({ purged: 1, blocksDeleted: keys.length });
    for (const table of ['files', 'journal', 'blocks', 'namespace_keys', 'departed_namespaces']) expect(await count(table, leaving.namespaceId), table).toBe(0);
    expect(await shardFiles()).toBe(0);

    const res = await download(srv.url, staying.auth, '/same.bin');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data[0]!));
    expect((await runJob(srv, 'departed', { now: () => Date.now() + 31 * DAY })).progress).toMatchObject({ purged: 0, due: 0 });
  });
});
