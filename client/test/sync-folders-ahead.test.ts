/**
 * A tree of new folders goes to the server in one request (sync/remote-dirs.ts, POST /mkdir/batch,
 * issue 20): 64 new folders three levels deep, some empty and some holding a file, are made
 * remotely with one batch and a handful of journal catch-ups instead of one mkdir and one catch-up
 * each (the server's own coffer_http_requests_total), and a second device gets exactly that tree.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { converged, logAgentsOnFailure, twoAgents, type World } from './sync-harness.js';
import { requestsServed } from './server-metrics.js';

let w: World;
logAgentsOnFailure(() => w);

beforeAll(async () => {
  w = await twoAgents();
}, 90_000);

afterAll(async () => {
  await w?.cleanup();
});

describe('new folders made ahead', () => {
  it('60 new folders three levels deep reach the server in a few catch-ups and the other device whole', async () => {
    const dirs: string[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) dirs.push(`top${i}`, `top${i}/mid${j}`, `top${i}/mid${j}/leaf${k}`);
    const unique = [...new Set(dirs)];
    expect(unique.length).toBe(4 + 12 + 48);
    for (const d of unique) await mkdir(w.a.path(d), { recursive: true });
    // Every other leaf holds a file; the rest stay empty (made remotely all the same).
    for (const [n, d] of unique.filter((x) => x.includes('leaf')).entries()) if (n % 2) await writeFile(w.a.path(`${d}/note.txt`), `note ${n}\n`);

    const mkdirs = await requestsServed(w.srv, /route="\/api\/v1\/mkdir"/);
    const batches = await requestsServed(w.srv, /route="\/api\/v1\/mkdir\/batch"/);
    const catchUps = await requestsServed(w.srv, /route="\/api\/v1\/changes"/);
    w.a.start();
    await w.a.waitFor(/ idle\n/, 0, 120_000);
    const madeWith = (await requestsServed(w.srv, /route="\/api\/v1\/mkdir"/)) - mkdirs;
    const inBatches = (await requestsServed(w.srv, /route="\/api\/v1\/mkdir\/batch"/)) - batches;
    const caughtUp = (await requestsServed(w.srv, /route="\/api\/v1\/changes"/)) - catchUps;
    console.log(`sync: ${unique.length} folders made with ${inBatches} batch and ${madeWith} single mkdir requests, ${caughtUp} journal requests`);
    expect(inBatches).toBe(1);
    expect(madeWith).toBe(1); // the sync root's own
    // One catch-up a folder would be 64 and more; a level at a time, a few per level.
    expect(caughtUp).toBeLessThan(12);

    w.b.start();
    const seen = await converged(w, (s) => unique.every((d) => s.get(d) === 'dir'), 120_000);
    expect([...seen.keys()].filter((k) => seen.get(k) === 'dir').sort()).toEqual(unique.sort());
  }, 300_000);
});
