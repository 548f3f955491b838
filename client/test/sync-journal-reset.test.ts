/**
 * Journal retention against real `coffer sync` agents (issue 23): a device offline while the
 * server prunes the change journal past its cursor comes back, gets `reset`, lists the tree
 * again and converges with the device that stayed, deletions and renames included. The server
 * is a real process on PostgreSQL; the prune is its own retention job, queued through the admin
 * API (the journal's rows are first aged in the database, as 40 days would).
 */
import { request } from 'node:https';
import { rm, writeFile, rename } from 'node:fs/promises';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferApi } from '../src/api/client.js';
import { fingerprintOfPem } from './cli-harness.js';
import { converged, sha, logAgentsOnFailure, twoAgents, until, type World } from './sync-harness.js';

let w: World;
logAgentsOnFailure(() => w);

beforeAll(async () => {
  w = await twoAgents('/sync', { backend: 'postgres', admin: true });
}, 90_000);

afterAll(async () => {
  await w?.cleanup();
});

/** One admin API call over the server's own certificate. */
function adminCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(`/api/v1${path}`, w.srv.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: w.srv.ca, checkServerIdentity: () => undefined, headers: { ...w.srv.adminAuth, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('a device whose cursor predates the journal window', () => {
  it('gets reset when it comes back, lists the tree again and converges', async () => {
    const api = new CofferApi(w.srv.url, { fingerprint: fingerprintOfPem(w.srv.ca!) }, w.srv.token);
    w.a.start();
    w.b.start();
    await writeFile(w.a.path('keep.txt'), 'kept\n');
    await writeFile(w.a.path('doomed.txt'), 'to be deleted\n');
    await writeFile(w.a.path('old-name.txt'), 'renamed while b is away\n');
    await converged(w, (s) => s.has('keep.txt') && s.has('doomed.txt') && s.has('old-name.txt'));
    await w.b.stop();
    const bCursor = (await api.changesLatest()).cursor; // b had seen everything up to here

    await rm(w.a.path('doomed.txt'));
    await rename(w.a.path('old-name.txt'), w.a.path('new-name.txt'));
    await writeFile(w.a.path('while-away.txt'), 'written while b is away\n');
    await until(async () => (await api.changesLatest()).cursor > bCursor + 2);
    const sql = postgres(w.srv.databaseUrl!, { onnotice: () => {} });
    try {
      await until(async () => {
        const names = (await api.list('/sync')).map((e) => e.name).sort();
        return JSON.stringify(names) === JSON.stringify(['keep.txt', 'new-name.txt', 'while-away.txt']);
      });
      await sql`update journal set at = at - interval '40 days'`;
      await writeFile(w.a.path('after-prune.txt'), 'the newest change\n');
      const head = (await api.changesLatest()).cursor;
      await until(async () => (await api.changesLatest()).cursor > head);

      const queued = await adminCall('POST', '/admin/jobs', { kind: 'retention' });
      expect(queued.status).toBe(201);
      await until(async () => (await adminCall('GET', '/admin/jobs?kind=retention')).body.jobs.some((j: { id: string; state: string }) => j.id === queued.body.id && j.state === 'done'), 60_000);
      const [old] = await sql<{ n: number }[]>`select count(*)::int as n from journal where at < now() - interval '30 days'`;
      expect(old?.n).toBe(0);
    } finally {
      await sql.end();
    }
    // b's cursor is behind what the journal keeps now.
    await expect(api.changes(bCursor)).rejects.toMatchObject({ code: 'reset' });

    const from = w.b.output.length;
    w.b.start();
    await w.b.waitFor(/idle/, from, 60_000).catch(() => {}); // the first pass, whatever it prints
    const s = await converged(w, (s) => s.has('after-prune.txt') && s.has('new-name.txt') && !s.has('doomed.txt') && !s.has('old-name.txt'), 60_000);
    expect([...s.keys()].sort()).toEqual(['after-prune.txt', 'keep.txt', 'new-name.txt', 'while-away.txt']);
    expect(s.get('new-name.txt')).toBe(sha('renamed while b is away\n'));
    // It tried its stored cursor first (state.ts keeps it), and listed only because of the reset.
    expect(w.b.output.slice(from)).toMatch(/resuming from journal position \d+[^]*listing the remote tree/);
  });
});
