/**
 * Issue 21's scale check: a real `coffer sync` process uploads a tree of many small files to a
 * real server (PostgreSQL) — empty but one in a hundred (a few bytes each), as commits of blocks
 * shared by many files contend on the server and that is not what is measured here — is killed with SIGKILL, and starts again from its SQLite state: it
 * resumes from the stored journal cursor — no listing of the remote tree (the server's own
 * request counters say so) — picks up a change made on the server while it was down, and is
 * idle again within seconds. `COFFER_SCALE_FILES` sets the size (10,000 in `npm test`;
 * `npm run test:scale` runs 100,000). The figures are printed.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerProcess } from '@coffer/server/testing/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_DB } from '../src/sync/state.js';
import { twoAgents, until, type World } from './sync-harness.js';
import { requestsServed } from './server-metrics.js';

const FILES = Number(process.env.COFFER_SCALE_FILES ?? 10_000);
const PER_FOLDER = 1000;

let w: World;

beforeAll(async () => {
  w = await twoAgents('/scale', { backend: 'postgres' });
}, 120_000);

afterAll(async () => {
  await w?.cleanup();
});

/** Peak resident memory of a process, in MiB (Linux). */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

const fileSize = (p: string) => statSync(p, { throwIfNoEntry: false })?.size ?? 0;

describe(`${FILES} files`, () => {
  it('syncs them, and a restart after SIGKILL resumes from the stored cursor without listing the tree', async () => {
    const a = w.a;
    a.env = { COFFER_SYNC_RESCAN_MS: '600000' }; // no timed full pass in the middle of the measurement
    let t0 = performance.now();
    for (let d = 0; d * PER_FOLDER < FILES; d++) {
      mkdirSync(a.path(`d${d}`));
      for (let i = d * PER_FOLDER; i < Math.min(FILES, (d + 1) * PER_FOLDER); i++) writeFileSync(a.path(`d${d}/f${i}.txt`), i % 100 ? '' : `${i}\n`);
    }
    const made = performance.now() - t0;

    t0 = performance.now();
    a.start();
    await a.waitFor(/ idle/, 0, 2_400_000);
    const synced = performance.now() - t0;
    const syncRss = peakRssMiB(a.child!.pid!);
    // Everything is on the server: every folder lists its files.
    for (let d = 0; d * PER_FOLDER < FILES; d++) {
      const r = await w.srv.call('GET', `/api/v1/list?path=${encodeURIComponent(`/scale/d${d}`)}&limit=1000`);
      expect(r.status).toBe(200);
      expect((JSON.parse(r.body.toString('utf8')) as { entries: unknown[] }).entries).toHaveLength(Math.min(PER_FOLDER, FILES - d * PER_FOLDER));
    }

    await a.stop('SIGKILL');
    const db = a.path(STATE_DB);
    const stateBytes = fileSize(db) + fileSize(`${db}-wal`);
    // While it is down another device adds a file: the journal after the cursor brings it.
    expect((await w.srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent('/scale/while-down.txt')}`, { body: 'made while the agent was down\n' })).status).toBe(201);

    const listedBefore = await requestsServed(w.srv, /route="[^"]*\/(list|changes\/latest)"/);
    const from = a.output.length;
    t0 = performance.now();
    a.start();
    await a.waitFor(/ idle/, from, 120_000);
    const restart = performance.now() - t0;
    const restartRss = peakRssMiB(a.child!.pid!);
    await until(async () => (await readFile(a.path('while-down.txt'), 'utf8').catch(() => '')) === 'made while the agent was down\n');

    const after = a.output.slice(from);
    expect(after).toMatch(/resuming from journal position \d+ \(\d+ remote items known\)/);
    expect(after).not.toMatch(/listing the remote tree/);
    expect(await requestsServed(w.srv, /route="[^"]*\/(list|changes\/latest)"/)).toBe(listedBefore);
    expect(restart).toBeLessThan(10_000);

    console.log(
      `[scale] ${FILES} files in ${Math.ceil(FILES / PER_FOLDER)} folders: written locally ${(made / 1000).toFixed(1)} s; ` +
        `first sync (upload) ${(synced / 1000).toFixed(1)} s, agent peak RSS ${syncRss} MiB; state.db ${(stateBytes / 2 ** 20).toFixed(1)} MiB; ` +
        `restart after SIGKILL to idle ${(restart / 1000).toFixed(2)} s, peak RSS ${restartRss} MiB; listing requests during restart: 0`,
    );
  }, 3_000_000);
});
