/**
 * An employee leaves (issue 23): POST /admin/users/{id}/transfer copies the account's live tree
 * under "From <username>" at the recipient's root (same blocks), charges the recipient's quota
 * (507 and nothing done when it does not fit), re-owns the shares it offered, deletes the account;
 * the files read back byte-identical under the recipient, also after the departed job purged the
 * old namespace. PostgreSQL and PGlite.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files, shares, users } from '../src/db/schema.js';
import { runJob } from './fixtures/jobs.js';
import { apiAs, usedBytes } from './fixtures/seed.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const DAY = 86_400_000;

describe.each(BACKENDS)('transferring a departing user’s files (%s)', (backend) => {
  const srv = useTestServer(backend);

  it('moves the tree under the recipient with its quota charged, re-owns shares, and survives the purge', async () => {
    const leaving = await srv.user();
    const recipient = await srv.user();
    const small = await srv.user({ quotaBytes: 100_000 });
    const friend = await srv.user();
    const admin = apiAs(srv, await srv.user({ role: 'admin' }));
    const l = apiAs(srv, leaving);
    const a = [randomBytes(300_000), randomBytes(420_000)];
    const b = randomBytes(90_000);
    expect((await l.post('/mkdir', { path: '/docs' })).status).toBe(201);
    expect((await upload(srv.url, leaving.auth, '/docs/a.bin', a[0]!)).status).toBe(201);
    expect((await upload(srv.url, leaving.auth, '/docs/a.bin', a[1]!, '&overwrite=true')).status).toBe(201);
    expect((await upload(srv.url, leaving.auth, '/b.bin', b)).status).toBe(201);
    expect((await upload(srv.url, leaving.auth, '/trashed.bin', randomBytes(5000))).status).toBe(201);
    expect((await l.post('/delete', { path: '/trashed.bin' })).status).toBe(200);
    expect((await l.post('/shares', { path: '/docs', user: friend.username, role: 'viewer' })).status).toBe(201);
    expect((await upload(srv.url, recipient.auth, '/mine.txt', Buffer.from('mine'))).status).toBe(201);
    const before = await usedBytes(srv, recipient);

    const refused = await admin.post(`/admin/users/${leaving.id}/transfer`, { to: small.id });
    expect(refused.status).toBe(507);
    expect(await srv.database.db.select().from(users).where(eq(users.id, leaving.id))).toHaveLength(1);
    expect(await usedBytes(srv, small)).toBe(0);
    expect((await admin.post(`/admin/users/${leaving.id}/transfer`, { to: leaving.id })).status).toBe(400);
    expect((await admin.post(`/admin/users/${leaving.id}/transfer`, { to: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);

    const done = await admin.post(`/admin/users/${leaving.id}/transfer`, { to: recipient.id });
    expect(done.status).toBe(200);
    const folder = `/From ${leaving.username}`;
    expect(done.body).toEqual({ folder, files: 2, folders: 1, bytes: a[1]!.length + b.length, sharesReowned: 1 });
    expect(await usedBytes(srv, recipient)).toBe(before + a[1]!.length + b.length);
    expect(await srv.database.db.select().from(users).where(eq(users.id, leaving.id))).toEqual([]);

    const readBack = async () => {
      for (const [path, data] of [[`${folder}/docs/a.bin`, a[1]!], [`${folder}/b.bin`, b]] as const) {
        const res = await download(srv.url, recipient.auth, path);
        expect(res.status, path).toBe(200);
        expect(sha256(Buffer.from(await res.arrayBuffer())), path).toBe(sha256(data));
      }
    };
    await readBack();
    const [share] = await srv.database.db.select().from(shares).where(eq(shares.granteeUserId, friend.id));
    const [docs] = await srv.database.db.select().from(files).where(eq(files.id, share!.fileId));
    expect(share).toMatchObject({ ownerId: recipient.id, namespaceId: recipient.namespaceId });
    expect(docs).toMatchObject({ name: 'docs', namespaceId: recipient.namespaceId });

    // The old namespace is purged; the copies' blocks (and the key they need) stay.
    const job = await runJob(srv, 'departed', { now: () => Date.now() + 31 * DAY });
    expect(job.state).toBe('done');
    expect(await srv.database.db.select().from(files).where(eq(files.namespaceId, leaving.namespaceId))).toEqual([]);
    await readBack();
  });
});
