/**
 * A job the server held when it was SIGKILLed does not hold its kind for long (issue 20): a slow
 * scrub is running in the real server process, the process is killed and restarted, and the scrub
 * is claimed again within seconds — at once on the embedded database (one process owns it, so the
 * restarted one hands back what the dead one held), within the short heartbeat lease on PostgreSQL
 * (where other instances could hold claims, so only the lease proves a holder gone). It then ends
 * done, having resumed from the progress it saved.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type Backend, type ServerProcess } from './fixtures/server-process.js';

interface JobRow {
  id: string;
  state: string;
  attempts: number;
  progress: Record<string, unknown>;
}

/** From the kill to the scrub running again: the embedded database hands it back at start; PostgreSQL waits out the 10 s lease. */
const setups: { backend: Backend; withinMs: number }[] = [
  { backend: 'pglite', withinMs: 5_000 },
  { backend: 'postgres', withinMs: 20_000 },
];

describe.each(setups)('a job held by a killed server ($backend)', ({ backend, withinMs }) => {
  let srv: ServerProcess | undefined;
  afterEach(async () => {
    await srv?.cleanup();
    srv = undefined;
  });

  it('runs again soon after a restart, and finishes', async () => {
    const s = (srv = await startServerProcess({ backend, admin: true }));
    // Enough blocks for a scrub at 4 blocks/s to last several seconds.
    for (let i = 0; i < 40; i++) {
      const res = await s.call('POST', `/api/v1/upload?uploadType=media&path=/f${i}.bin`, { body: randomBytes(2_000) });
      expect(res.status).toBe(201);
    }
    const queued = await s.call('POST', '/api/v1/admin/jobs', { json: { kind: 'scrub', blocksPerSecond: 4 }, headers: s.adminAuth! });
    expect(queued.status, queued.body.toString()).toBe(201);
    const id = queued.json().id as string;
    const job = async (): Promise<JobRow> => {
      const list = await s.call('GET', '/api/v1/admin/jobs?kind=scrub&limit=100', { headers: s.adminAuth! });
      return (list.json().jobs as JobRow[]).find((j) => j.id === id)!;
    };
    await expect.poll(async () => (await job()).state, { timeout: 20_000, interval: 100 }).toBe('running');
    // Past its first progress save (every 2 s): the next attempt resumes from it.
    await new Promise((r) => setTimeout(r, 3_000));
    const before = await job();
    expect(before.state, 'the scrub must still be running at the kill').toBe('running');

    await s.kill('SIGKILL');
    const killedAt = Date.now();
    await s.restart();
    const restartedIn = Date.now() - killedAt;
    let again: JobRow | undefined;
    for (const end = killedAt + withinMs + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      const j = await job();
      if (j.attempts > before.attempts) {
        again = j;
        break;
      }
    }
    const claimedIn = Date.now() - killedAt;
    console.log(`[jobs-crash ${backend}] restarted ${restartedIn} ms after the kill; the scrub was claimed again ${claimedIn} ms after it (${JSON.stringify(again?.progress)})`);
    expect(again, 'the scrub was never claimed again').toBeDefined();
    expect(claimedIn).toBeLessThan(Math.max(withinMs, restartedIn + 3_000));

    await expect.poll(async () => (await job()).state, { timeout: 30_000, interval: 200 }).toBe('done');
    const done = await job();
    expect(done.progress).toMatchObject({ damaged: 0, unrepaired: 0 });
    // Resumed, not restarted from scratch: it counts the blocks it went over, the total of them.
    expect(Number(done.progress.scanned)).toBeGreaterThanOrEqual(Number(done.progress.total));
  }, 120_000);
});
