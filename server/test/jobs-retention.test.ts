/**
 * Retention: the thinning policy (every version for a day, hourly for a week, daily for a month,
 * weekly after, at most N), and the job: dropped versions release their blocks, the current
 * version always stays, old trash is purged as its owner would purge it, recent trash stays.
 */
import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { blocks, files, fileVersions } from '../src/db/schema.js';
import { blocksOfVersion } from '../src/files/versions.js';
import { versionsToKeep, type VersionAge } from '../src/jobs/retention-policy.js';
import { runJob } from './fixtures/jobs.js';
import { apiAs, q, usedBytes } from './fixtures/seed.js';
import { useTestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('retention policy', () => {
  const now = Date.UTC(2030, 5, 15, 12);
  /** One version every `stepMs`, going back `count` steps; rev 1 is the oldest. */
  const history = (count: number, stepMs: number): VersionAge[] =>
    Array.from({ length: count }, (_, i) => ({ id: `v${count - i}`, rev: count - i, createdAt: new Date(now - i * stepMs - 1000) }));

  it('keeps everything younger than a day', () => {
    expect(versionsToKeep(history(48, 30 * 60_000), now, 1000).size).toBe(48); // 24 h of half-hourly saves
  });

  it('keeps one per hour for a week, one per day for a month, one per week after', () => {
    const every10min = history(6 * 24 * 6, 10 * 60_000); // six days of saves every 10 minutes
    const kept = versionsToKeep(every10min, now, 10_000);
    // the last day whole (144 versions), then one per hour for the five days before it
    expect(kept.size).toBeGreaterThanOrEqual(144 + 5 * 24 - 1);
    expect(kept.size).toBeLessThanOrEqual(144 + 5 * 24 + 1);

    const hourly = history(60 * 24, HOUR); // sixty days, hourly
    const k2 = versionsToKeep(hourly, now, 10_000);
    const ages = hourly.filter((v) => k2.has(v.id)).map((v) => now - v.createdAt.getTime());
    expect(ages.filter((a) => a < DAY)).toHaveLength(24);
    expect(ages.filter((a) => a >= DAY && a < 7 * DAY).length).toBeGreaterThanOrEqual(6 * 24 - 1);
    const daily = ages.filter((a) => a >= 7 * DAY && a < 30 * DAY).length;
    expect(daily).toBeGreaterThanOrEqual(22);
    expect(daily).toBeLessThanOrEqual(24);
    const weekly = ages.filter((a) => a >= 30 * DAY).length;
    expect(weekly).toBeGreaterThanOrEqual(4);
    expect(weekly).toBeLessThanOrEqual(6);
  });

  it('never keeps more than the cap, newest first, and always the current version', () => {
    const vs = history(10, HOUR * 24 * 40);
    expect([...versionsToKeep(vs, now, 3)]).toEqual(['v10', 'v9', 'v8']);
    expect([...versionsToKeep(vs.slice(0, 1), now + 1000 * DAY, 0)]).toEqual(['v10']);
  });
});

describe('retention job', () => {
  const srv = useTestServer('pglite');

  it('thins versions to the cap, releasing their blocks, and keeps the current content', async () => {
    const user = await srv.user();
    const contents = Array.from({ length: 4 }, () => randomBytes(200_000));
    for (const [i, data] of contents.entries()) {
      expect((await upload(srv.url, user.auth, '/doc.bin', data, i === 0 ? '' : '&overwrite=true')).status).toBe(201);
    }
    const db = srv.database.db;
    const [file] = await db.select().from(files).where(eq(files.name, 'doc.bin'));
    const versions = await db.select().from(fileVersions).where(eq(fileVersions.fileId, file!.id));
    expect(versions).toHaveLength(4);
    const oldKeys = (await Promise.all(versions.filter((v) => v.rev <= 2).map((v) => blocksOfVersion(db, v.id)))).flat().map((b) => b.key);

    const job = await runJob(srv, 'retention', { env: { COFFER_MAX_VERSIONS: '2' } });
    expect(job.state).toBe('done');
    expect(job.progress.versionsDeleted).toBe(2);
    const left = await db.select({ rev: fileVersions.rev }).from(fileVersions).where(eq(fileVersions.fileId, file!.id));
    expect(left.map((v) => v.rev).sort()).toEqual([3, 4]);
    const counts = await db.select({ refcount: blocks.refcount }).from(blocks).where(inArray(blocks.key, oldKeys));
    expect(counts.length).toBe(oldKeys.length);
    expect(counts.every((c) => c.refcount === 0)).toBe(true); // garbage for GC now
    const res = await download(srv.url, user.auth, '/doc.bin');
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(contents[3]!));
  });

  it('purges trash older than the trash period, as its owner would, and keeps recent trash', async () => {
    const user = await srv.user();
    const api = apiAs(srv, user);
    expect((await upload(srv.url, user.auth, '/old.txt', Buffer.from('old'))).status).toBe(201);
    expect((await api.post('/delete', { path: '/old.txt' })).status).toBe(200);
    expect(await usedBytes(srv, user)).toBe(3);

    const soon = await runJob(srv, 'retention', { now: () => Date.now() + 29 * DAY });
    expect(soon.progress.trashPurged).toBe(0);
    expect((await api.get('/trash')).body.entries).toHaveLength(1);

    const later = await runJob(srv, 'retention', { now: () => Date.now() + 31 * DAY });
    expect(later.progress.trashPurged).toBe(1);
    expect((await api.get('/trash')).body.entries).toHaveLength(0);
    expect((await api.get(`/metadata?path=${q('/old.txt')}`)).status).toBe(404);
    expect(await usedBytes(srv, user)).toBe(0); // trashed files count until purged
  });
});
