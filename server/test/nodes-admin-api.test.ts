/**
 * The node admin API's rules, on a server with the embedded local nodes and one S3 node process
 * (no job runner: queued drains stay queued, so the states are the API's alone): bad input is
 * refused with a reason and changes nothing; a node is retired only once draining and empty, and
 * never the hot tier's last; names are never reused, a live node's bucket is never taken twice;
 * draining is persisted; another instance's registry follows; no answer or column holds a secret.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodePool, S3Node } from '@coffer/storage-engine';
import { S3_SECRET_KEY, startS3Cluster, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { DbKeyProvider } from '../src/db/key-provider.js';
import { rowsOf } from '../src/db/open.js';
import { NodeRegistry } from '../src/nodes/registry.js';
import { apiAs } from './fixtures/seed.js';
import { useTestServer } from './fixtures/server.js';
import { upload } from './fixtures/transfer.js';

describe.runIf(!process.env.COFFER_TEST_S3_URLS)('node admin API', () => {
  const srv = useTestServer('pglite');
  let cluster: LocalS3Cluster;
  beforeAll(async () => {
    cluster = await startS3Cluster({ count: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stopAll();
  });

  const admin = async () => apiAs(srv, await srv.user({ role: 'admin' }));
  const states = async (a: Awaited<ReturnType<typeof admin>>) =>
    Object.fromEntries(((await a.get('/admin/nodes')).body.nodes as { id: string; state: string }[]).map((n) => [n.id, n.state]));
  const column = async (name: string) =>
    rowsOf<{ state: string; sealed_url: string | null }>(await srv.database.db.execute(sql`select state, sealed_url from nodes where name = ${name}`))[0];

  it('is for admins only', async () => {
    const user = apiAs(srv, await srv.user());
    for (const path of ['/admin/nodes', '/admin/nodes/local-0/retire']) {
      const res = await user.post(path, { name: 'x', url: cluster.nodes[0]!.url });
      expect([res.status, res.body.error.code]).toEqual([403, 'admin_only']);
    }
  });

  it('refuses bad nodes with a reason that never quotes the URL', async () => {
    const a = await admin();
    const secretUrl = (host: string) => `http://KEYID:${S3_SECRET_KEY}-x@${host}/coffer`;
    const cases: [Record<string, unknown>, string | undefined][] = [
      [{ name: 'Big', url: cluster.nodes[0]!.url }, 'name'],
      [{ name: 'local-7', url: cluster.nodes[0]!.url }, 'name'],
      [{ name: 'ok', url: `ftp://KEYID:${S3_SECRET_KEY}-x@host/coffer` }, 'url'],
      [{ name: 'ok', url: `http://KEYID:${S3_SECRET_KEY}-x@host:9000/` }, 'url'],
      [{ name: 'ok', url: cluster.nodes[0]!.url, tier: 'warm' }, 'tier'],
      [{ name: 'ok', url: cluster.nodes[0]!.url, extra: 1 }, undefined],
      [{ name: 'ok' }, 'url'],
    ];
    for (const [body, field] of cases) {
      const res = await a.post('/admin/nodes', body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'invalid_request']);
      if (field) expect(res.body.error.details.issues[0].path).toEqual([field]);
      expect(JSON.stringify(res.body)).not.toContain(S3_SECRET_KEY);
    }
    // Nothing listens there: the node must take a test object before it is added.
    const down = await a.post('/admin/nodes', { name: 'gone', url: secretUrl('127.0.0.1:9') });
    expect([down.status, down.body.error.code]).toEqual([400, 'node_unreachable']);
    expect(down.body.error.message).toContain('http://127.0.0.1:9/coffer');
    expect(JSON.stringify(down.body)).not.toContain(S3_SECRET_KEY);
    expect(Object.keys(await states(a))).toEqual(['local-0', 'local-1', 'local-2']);
  });

  it('never retires the hot tier’s last active node', async () => {
    const a = await admin();
    for (const id of ['local-0', 'local-1', 'local-2']) expect((await a.post(`/admin/nodes/${id}/drain`)).status).toBe(201);
    expect(await states(a)).toEqual({ 'local-0': 'draining', 'local-1': 'draining', 'local-2': 'draining' });
    const last = await a.post('/admin/nodes/local-0/retire');
    expect([last.status, last.body.error.code]).toEqual([409, 'last_hot_node']);
    for (const id of ['local-0', 'local-1', 'local-2']) expect((await a.post(`/admin/nodes/${id}/rebalance`)).status).toBe(201);
    expect(await states(a)).toEqual({ 'local-0': 'up', 'local-1': 'up', 'local-2': 'up' });
  });

  it('retires only a draining node that holds no shard; draining is in the database', async () => {
    const a = await admin();
    const user = await srv.user();
    expect((await upload(srv.url, user.auth, '/f.bin', randomBytes(300 * 1024))).status).toBe(201);
    const active = await a.post('/admin/nodes/local-1/retire');
    expect([active.status, active.body.error.code]).toEqual([409, 'not_draining']);
    expect((await a.post('/admin/nodes/local-1/drain')).status).toBe(201);
    expect((await column('local-1'))?.state).toBe('draining');
    const full = await a.post('/admin/nodes/local-1/retire');
    expect([full.status, full.body.error.code]).toEqual([409, 'has_shards']);
    expect(full.body.error.details.shards).toBeGreaterThan(0);
    expect((await a.post('/admin/nodes/local-1/rebalance')).status).toBe(201);
    expect((await column('local-1'))?.state).toBe('active');
    const unknown = await a.post('/admin/nodes/nope/retire');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'no_node']);
    expect((await a.post('/admin/nodes/nope/drain')).status).toBe(404);
  });

  it('adds an S3 node, keeps its URL sealed, never reuses a name or takes a live bucket twice', async () => {
    const a = await admin();
    const url = cluster.nodes[0]!.url;
    const added = await a.post('/admin/nodes', { name: 'x1', url, rebalance: false });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ node: { id: 'x1', kind: 's3', origin: 'api', state: 'up', endpoint: `http://127.0.0.1:${cluster.nodes[0]!.port}/coffer` }, job: null });
    const sealed = (await column('x1'))?.sealed_url;
    expect(sealed).toBeTruthy();
    expect(Buffer.from(sealed!, 'base64url').toString('latin1')).not.toContain(S3_SECRET_KEY);
    expect(srv.storage.nodes.map((n) => n.id)).toContain('x1');

    // Another instance on the same database opens it from there, and follows its retirement.
    const other = new NodeRegistry(srv.database.db, new NodePool([]), new DbKeyProvider(srv.database.db, srv.storage.master), srv.dataDir, () => {});
    await other.boot([]);
    expect(other.pool.all().map((n) => n.id)).toEqual(['local-0', 'local-1', 'local-2', 'x1']);

    const again = await a.post('/admin/nodes', { name: 'x1', url });
    expect([again.status, again.body.error.code]).toEqual([409, 'node_exists']);
    const twice = await a.post('/admin/nodes', { name: 'x2', url: url.replace('S3RVER:S3RVER', 'OTHER:KEY') });
    expect([twice.status, twice.body.error.code, twice.body.error.details.node]).toEqual([409, 'endpoint_in_use', 'x1']);

    expect((await a.post('/admin/nodes/x1/drain')).status).toBe(201);
    await other.refresh();
    expect(other.pool.state('x1')).toBe('draining');
    const retired = await a.post('/admin/nodes/x1/retire');
    expect(retired.status).toBe(200);
    expect(retired.body.node).toMatchObject({ id: 'x1', state: 'retired' });
    expect(Date.parse(retired.body.node.retiredAt)).not.toBeNaN();
    expect(await column('x1')).toEqual({ state: 'retired', sealed_url: null });
    expect(srv.storage.nodes.map((n) => n.id)).not.toContain('x1');
    await other.refresh();
    expect(other.pool.get('x1')).toBeUndefined();

    // Its name stays taken; its bucket is free again.
    expect((await a.post('/admin/nodes', { name: 'x1', url })).body.error.code).toBe('node_exists');
    const reused = await a.post('/admin/nodes', { name: 'x3', url, rebalance: false });
    expect(reused.status).toBe(201);
    await other.refresh();
    expect(other.pool.get('x3')).toBeDefined();

    const listed = await a.get('/admin/nodes');
    expect((listed.body.nodes as { id: string }[]).map((n) => n.id)).toEqual(['local-0', 'local-1', 'local-2', 'x3', 'x1']);
    for (const text of [added, again, twice, retired, reused, listed].map((r) => JSON.stringify(r.body))) expect(text).not.toContain(S3_SECRET_KEY);
    for (const n of other.pool.all()) if (n instanceof S3Node) n.close();
  });
});
