/**
 * Keep forever (issue 23): a kept revision survives every retention run and reads back as it was;
 * while it is not the head it counts against the owner's quota (keeping one that does not fit is
 * 507), a head moving off or onto it moves the charge, and a purge frees it. PostgreSQL and PGlite.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files, fileVersions } from '../src/db/schema.js';
import { runJob } from './fixtures/jobs.js';
import { apiAs, q, usedBytes } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

describe.each(BACKENDS)('keep forever (%s)', (backend) => {
  const srv = useTestServer(backend);

  async function history(user: { auth: Record<string, string> }, path: string, contents: Buffer[]) {
    for (const [i, data] of contents.entries()) {
      expect((await upload(srv.url, user.auth, path, data, i === 0 ? '' : '&overwrite=true')).status).toBe(201);
    }
  }
  const revsLeft = async (name: string) => {
    const [file] = await srv.database.db.select().from(files).where(eq(files.name, name));
    return (await srv.database.db.select({ rev: fileVersions.rev }).from(fileVersions).where(eq(fileVersions.fileId, file!.id))).map((v) => v.rev).sort();
  };

  it('keeps a kept revision through retention runs, charged to the quota while not the head', async () => {
    const user = await srv.user();
    const api = apiAs(srv, user);
    const contents = [100_000, 110_000, 120_000, 130_000].map((n) => randomBytes(n));
    await history(user, '/keep.bin', contents);
    expect(await usedBytes(srv, user)).toBe(130_000);

    const kept = await api.post('/revisions/keep', { path: '/keep.bin', rev: 1 });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ rev: 1, size: 100_000, keep: true });
    expect(await usedBytes(srv, user)).toBe(230_000);
    // Again: nothing changes, nothing charged twice.
    expect((await api.post('/revisions/keep', { path: '/keep.bin', rev: 1, keep: true })).status).toBe(200);
    expect(await usedBytes(srv, user)).toBe(230_000);

    for (let run = 0; run < 2; run++) {
      const job = await runJob(srv, 'retention', { env: { COFFER_MAX_VERSIONS: '1' } });
      expect(job.state).toBe('done');
    }
    expect(await revsLeft('keep.bin')).toEqual([1, 4]);
    const listed = await api.get(`/revisions?path=${q('/keep.bin')}`);
    expect(listed.body.revisions.map((r: { rev: number; keep: boolean }) => [r.rev, r.keep])).toEqual([[4, false], [1, true]]);
    const res = await download(srv.url, user.auth, '/keep.bin', {}, '&rev=1');
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(contents[0]!));

    // Unkept: the charge goes and the next run thins it.
    expect((await api.post('/revisions/keep', { path: '/keep.bin', rev: 1, keep: false })).body.keep).toBe(false);
    expect(await usedBytes(srv, user)).toBe(130_000);
    await runJob(srv, 'retention', { env: { COFFER_MAX_VERSIONS: '1' } });
    expect(await revsLeft('keep.bin')).toEqual([4]);
  });

  it('moves the charge with the head, refuses a keep past the quota, and frees it on purge', async () => {
    const user = await srv.user({ quotaBytes: 250_000 });
    const api = apiAs(srv, user);
    const [a, b] = [randomBytes(100_000), randomBytes(120_000)];
    await history(user, '/h.bin', [a]);
    // The head kept: it counts as the file already.
    expect((await api.post('/revisions/keep', { path: '/h.bin', rev: 1 })).status).toBe(200);
    expect(await usedBytes(srv, user)).toBe(100_000);
    // A new head: the kept one now counts on its own.
    expect((await upload(srv.url, user.auth, '/h.bin', b, '&overwrite=true')).status).toBe(201);
    expect(await usedBytes(srv, user)).toBe(220_000);
    // Restoring it makes a new revision (rev 3, not kept): both still count.
    expect((await api.post('/revisions/restore', { path: '/h.bin', rev: 2 })).status).toBe(200);
    expect(await usedBytes(srv, user)).toBe(220_000);

    const refused = await api.post('/revisions/keep', { path: '/h.bin', rev: 2 });
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe('quota_exceeded');
    expect(await usedBytes(srv, user)).toBe(220_000);
    expect((await api.get(`/revisions?path=${q('/h.bin')}`)).body.revisions.find((r: { rev: number }) => r.rev === 2).keep).toBe(false);

    expect((await api.post('/revisions/keep', { path: '/h.bin', rev: 9 })).status).toBe(404);
    expect((await api.post('/revisions/keep', { path: '/h.bin', id: '00000000-0000-4000-8000-000000000000', rev: 1 })).status).toBe(400);

    expect((await api.post('/delete', { path: '/h.bin' })).status).toBe(200);
    expect((await api.del('/trash')).status).toBe(200);
    expect(await usedBytes(srv, user)).toBe(0);
  });
});
