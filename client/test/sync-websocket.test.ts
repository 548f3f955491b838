/**
 * The agent follows the server's websocket feed (issue 21): a change made through the API wakes
 * the receiving agent at once (no long poll in the way), and a websocket cut mid-stream — or
 * refused — leaves it long polling, converging all the same, until the socket is back. Real
 * server processes, real `coffer sync` processes; the cut is made by the soak's TCP gate, which
 * over plain HTTP can tell the event socket from the agent's other connections.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { CofferApi } from '../src/api/client.js';
import { ApiError } from '../src/api/errors.js';
import { CertificateMismatchError } from '../src/api/pinned-agent.js';
import { fingerprintOfPem, PASSWORD, runCli, usernameOf } from './cli-harness.js';
import { Gate } from './soak/gate.js';
import { Agent, converged, twoAgents, until, type World } from './sync-harness.js';

/** The server's open websockets and long polls answered so far, from /metrics. */
async function serverCounts(srv: ServerProcess): Promise<{ websockets: number; longPolls: number; changes: number }> {
  const res = await srv.call('GET', '/metrics', { headers: { authorization: '' } }); // loopback, no token
  const text = res.body.toString('utf8');
  const found = /coffer_open_connections\{kind="websocket"\} (\d+)/.exec(text);
  if (!found) throw new Error(`no websocket gauge in /metrics (${res.status}): ${text.slice(0, 400)}`);
  const websockets = Number(found[1]);
  let longPolls = 0;
  for (const m of text.matchAll(/coffer_http_requests_total\{[^}]*route="[^"]*longpoll[^"]*"[^}]*\} (\d+)/g)) longPolls += Number(m[1]);
  let changes = 0;
  for (const m of text.matchAll(/coffer_http_requests_total\{[^}]*route="\/api\/v1\/changes"[^}]*\} (\d+)/g)) changes += Number(m[1]);
  return { websockets, longPolls, changes };
}

const put = async (srv: ServerProcess, path: string, body: string) =>
  expect((await srv.call('POST', `/api/v1/upload?uploadType=media&overwrite=true&path=${encodeURIComponent(path)}`, { body })).status).toBe(201);

/** Milliseconds until `file` holds `content` (polled every 5 ms). */
async function arrival(file: string, content: string, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if ((await readFile(file, 'utf8').catch(() => '')) === content) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${file} never got its content within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('over HTTPS (a pinned self-signed certificate)', () => {
  let w: World;
  beforeAll(async () => {
    w = await twoAgents('/sync');
  }, 90_000);
  afterAll(async () => {
    await w?.cleanup();
  });

  it('follows the websocket: an API change and a local write reach the other disk without a long poll', async () => {
    w.a.start();
    w.b.start();
    await w.a.waitFor(/following the event socket/, 0);
    await w.b.waitFor(/following the event socket/, 0);
    await w.a.waitFor(/idle/, 0);
    await w.b.waitFor(/idle/, 0);
    expect((await serverCounts(w.srv)).websockets).toBe(2);
    const before = await serverCounts(w.srv);

    const viaApi: number[] = [];
    for (let i = 0; i < 5; i++) {
      const content = `from the API ${i}\n`.padEnd(1024, '.');
      const t0 = performance.now();
      await put(w.srv, `/sync/api-${i}.txt`, content);
      const committed = performance.now() - t0;
      viaApi.push(committed + (await arrival(w.b.path(`api-${i}.txt`), content)));
    }
    await converged(w, (s) => s.size === 5);
    // The passes those changes woke started from what the socket brought: not one journal page was asked for.
    expect((await serverCounts(w.srv)).changes).toBe(before.changes);
    const local: number[] = [];
    for (let i = 0; i < 5; i++) {
      const content = `written on a ${i}\n`.padEnd(1024, '.');
      const t0 = performance.now();
      await writeFile(w.a.path(`local-${i}.txt`), content);
      local.push(performance.now() - t0 + (await arrival(w.b.path(`local-${i}.txt`), content)));
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    console.log(`API write → b's disk: median ${median(viaApi).toFixed(0)} ms (${viaApi.map((x) => x.toFixed(0)).join(', ')}); a's disk → b's disk: median ${median(local).toFixed(0)} ms (${local.map((x) => x.toFixed(0)).join(', ')})`);
    // A long poll would answer the change too, but no long poll was asked while the sockets were up.
    expect((await serverCounts(w.srv)).longPolls).toBe(before.longPolls);
    expect(median(viaApi)).toBeLessThan(3000); // ~150 ms on an idle machine; generous for a loaded one
    expect(median(local)).toBeLessThan(5000); // ~300 ms idle
    await converged(w, (s) => s.size === 10);
  }, 120_000);

  it('a refused handshake closes the feed with the server\'s answer, never opened', async () => {
    const api = new CofferApi(w.srv.url, { fingerprint: fingerprintOfPem(w.srv.ca!) }, 'not-a-token');
    let opened = false;
    const err = await new Promise<Error | undefined>((resolve) => api.events(0, { open: () => (opened = true), message: () => {}, closed: resolve }));
    api.close();
    expect(opened).toBe(false);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401 });
  });

  it('a certificate that is neither pinned nor valid gets no handshake (and so no token)', async () => {
    const api = new CofferApi(w.srv.url, { fingerprint: '00'.repeat(32) }, w.srv.token);
    const err = await new Promise<Error | undefined>((resolve) => api.events(0, { open: () => {}, message: () => {}, closed: resolve }));
    api.close();
    expect(err).toBeInstanceOf(CertificateMismatchError);
  });
});

describe('over plain HTTP through a gate that cuts the websocket', () => {
  let srv: ServerProcess;
  let gate: Gate;
  let b: Agent;
  let remove: () => Promise<void>;
  beforeAll(async () => {
    srv = await startServerProcess();
    const port = Number(new URL(srv.url).port);
    gate = await Gate.start(() => port);
    const temp = await makeTempDir('coffer-sync-ws-');
    remove = () => temp.remove();
    const configDir = join(temp.path, 'config-b');
    const r = await runCli(['login', gate.url, '--username', await usernameOf(srv), '--password-stdin', '--insecure-http', '--device-name', 'laptop-b'], { configDir, input: PASSWORD });
    if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
    const dir = join(temp.path, 'dir-b');
    await mkdir(dir);
    b = new Agent('b', dir, configDir, join(temp.path, 'stats-b.jsonl'), '/sync');
  }, 90_000);
  afterAll(async () => {
    await b?.stop();
    await gate?.close();
    await srv?.cleanup();
    await remove?.();
  });

  it('falls back to long polls when the socket is cut mid-stream or refused, converges, and takes the socket back', async () => {
    b.start();
    await b.waitFor(/following the event socket/, 0);
    await b.waitFor(/idle/, 0);
    expect(gate.openWebsockets).toBe(1);

    // A burst of changes; the socket is cut (and new ones refused) while its events are arriving.
    gate.refuseWebsockets(true);
    const burst = Array.from({ length: 30 }, (_, i) => [`burst-${String(i).padStart(2, '0')}.txt`, `burst ${i}\n`] as const);
    const from = b.output.length;
    const writes = (async () => {
      for (const [name, content] of burst) await put(srv, `/sync/${name}`, content);
    })();
    await arrival(b.path(burst[2]![0]), burst[2]![1]);
    expect(gate.cutWebsockets()).toBe(1);
    await writes;
    await b.waitFor(/the event socket dropped .*long polling/, from);
    for (const [name, content] of burst) await arrival(b.path(name), content);

    // Still refused: the long poll alone brings the next change, promptly.
    const polls = (await serverCounts(srv)).longPolls;
    expect((await serverCounts(srv)).websockets).toBe(0);
    await put(srv, '/sync/while-polling.txt', 'long polled\n');
    const polled = await arrival(b.path('while-polling.txt'), 'long polled\n');
    expect(polled).toBeLessThan(5000);
    expect((await serverCounts(srv)).longPolls).toBeGreaterThan(polls);

    // Let sockets through again: the agent is back on one within its backoff, and follows it.
    const back = b.output.length;
    const allowed = performance.now();
    gate.refuseWebsockets(false);
    await b.waitFor(/following the event socket/, back, 70_000);
    const reconnected = performance.now() - allowed;
    await until(async () => (await serverCounts(srv)).websockets === 1);
    await put(srv, '/sync/after.txt', 'socket again\n');
    await arrival(b.path('after.txt'), 'socket again\n');
    const names = (await srv.call('GET', '/api/v1/list?path=/sync')).json<{ entries: { name: string }[] }>().entries.map((e) => e.name);
    expect(names.length).toBe(burst.length + 2);
    console.log(`fallback: a change arrived by long poll in ${polled.toFixed(0)} ms; the socket back ${reconnected.toFixed(0)} ms after it was allowed`);
  }, 180_000);
});
