/**
 * Journal retention (issue 23): the retention job prunes change-journal entries older than the
 * window, keeping each namespace's newest; a device whose cursor falls before what is left gets
 * `reset` (REST and websocket), lists its tree and converges; the admin sees the journal's size
 * and oldest entry; over a long run of changes the journal's row count stays bounded.
 */
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { journal } from '../src/db/schema.js';
import { runJob } from './fixtures/jobs.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { EventsClient, getJson, postJson } from './fixtures/sync-devices.js';

const DAY = 86_400_000;

describe.each(BACKENDS)('journal retention (%s)', (backend) => {
  const srv = useTestServer(backend);
  const db = () => srv.database.db;
  const backdate = (namespaceId: string, days: number) =>
    db().update(journal).set({ at: sql`${journal.at} - (${days}::int * interval '1 day')` }).where(eq(journal.namespaceId, namespaceId));
  const names = async (auth: Record<string, string>) =>
    ((await getJson(srv.url, '/api/v1/list?path=%2F', auth)).body.entries as { name: string }[]).map((e) => e.name).sort();

  it('answers reset to a cursor from before the window; the device re-lists and converges (REST and websocket)', async () => {
    const u = await srv.user();
    await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/early' });
    const stale = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number; // a device last synced here
    await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/gone-later' });
    await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/middle' });
    expect((await postJson(srv.url, '/api/v1/delete', u.auth, { path: '/gone-later' })).status).toBe(200);
    await backdate(u.namespaceId, 40);
    await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/recent' });
    const before = (await db().select({ n: sql<number>`count(*)::int` }).from(journal).where(eq(journal.namespaceId, u.namespaceId)))[0]!.n;

    const job = await runJob(srv, 'retention');
    expect(job.state).toBe('done');
    expect(Number(job.progress.journalPruned)).toBeGreaterThanOrEqual(before - 1);
    const left = await db().select({ seq: journal.seq }).from(journal).where(eq(journal.namespaceId, u.namespaceId));
    expect(left).toHaveLength(1); // only the recent entry

    const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
    const r = await getJson(srv.url, `/api/v1/changes?cursor=${stale}`, u.auth);
    expect(r.status).toBe(410);
    expect(r.body.error).toMatchObject({ code: 'reset', details: { latestCursor: head } });
    expect((await getJson(srv.url, `/api/v1/changes/longpoll?cursor=${stale}&timeout=30`, u.auth)).status).toBe(410);
    const ws = await EventsClient.open(srv.url, u.token);
    ws.send({ type: 'resume', cursor: stale });
    const [reset] = await ws.next((m) => m.type === 'reset');
    expect(reset).toMatchObject({ latestCursor: head });
    ws.close();

    // The device starts over: the cursor at the head, then the listing, then changes from there.
    const cursor = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
    expect(await names(u.auth)).toEqual(['early', 'middle', 'recent']);
    await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/after' });
    const next = await getJson(srv.url, `/api/v1/changes?cursor=${cursor}`, u.auth);
    expect(next.status).toBe(200);
    expect(next.body.entries.map((e: { name: string }) => e.name)).toEqual(['after']);
    // A device that had seen everything before the prune keeps following without a reset.
    expect((await getJson(srv.url, `/api/v1/changes?cursor=${head}`, u.auth)).status).toBe(200);
  });

  it('keeps an idle namespace’s newest entry, so an up-to-date device is never reset', async () => {
    const u = await srv.user();
    await postJson(srv.url, '/api/v1/mkdir', u.auth, { path: '/only' });
    const head = (await getJson(srv.url, '/api/v1/changes/latest', u.auth)).body.cursor as number;
    await backdate(u.namespaceId, 400);
    await runJob(srv, 'retention');
    const r = await getJson(srv.url, `/api/v1/changes?cursor=${head}`, u.auth);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ entries: [], cursor: head });
  });

  it('shows the admin the journal’s size and oldest entry', async () => {
    const admin = await srv.user({ role: 'admin' });
    const r = await getJson(srv.url, '/api/v1/admin/journal', admin.auth);
    expect(r.status).toBe(200);
    const total = (await db().select({ n: sql<number>`count(*)::int` }).from(journal))[0]!.n;
    expect(r.body).toMatchObject({ rows: total, retentionDays: 30 });
    expect(r.body.bytes).toBeGreaterThan(0);
    const [oldest] = await db().select().from(journal).orderBy(journal.seq).limit(1);
    expect(r.body.oldestSeq).toBe(oldest!.seq);
    expect(r.body.oldestAt).toBe(oldest!.at.toISOString());
    const u = await srv.user();
    expect((await getJson(srv.url, '/api/v1/admin/journal', u.auth)).status).toBe(403);
  });

  it('keeps the journal’s row count bounded over a long run of changes with pruning on', async () => {
    const u = await srv.user();
    const perDay = 12;
    const windowDays = 3;
    const counts: number[] = [];
    let made = 0;
    for (let day = 0; day < 12; day++) {
      for (let i = 0; i < perDay; i++) {
        const path = `/d${day}-${i}`;
        await postJson(srv.url, '/api/v1/mkdir', u.auth, { path });
        if (i % 3 === 0) await postJson(srv.url, '/api/v1/delete', u.auth, { path });
        made += i % 3 === 0 ? 2 : 1;
      }
      // A day passes: everything so far is a day older, then the nightly run.
      await backdate(u.namespaceId, 1);
      await runJob(srv, 'retention', { env: { COFFER_JOURNAL_RETENTION_DAYS: String(windowDays) } });
      counts.push((await db().select({ n: sql<number>`count(*)::int` }).from(journal).where(eq(journal.namespaceId, u.namespaceId)))[0]!.n);
    }
    const perDayEntries = made / 12;
    // Never more than the window's days of changes (plus the newest entry kept), however long the run.
    expect(Math.max(...counts)).toBeLessThanOrEqual(windowDays * perDayEntries + 1);
    expect(counts.at(-1)).toBe(counts.at(-4)); // steady state
    expect(made).toBeGreaterThan(3 * counts.at(-1)!);
  });
});
