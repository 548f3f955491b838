/**
 * npm run bench:sync [-- --commits 1000 --connections 19400 --clients 4 --addresses 8]
 *
 * Sync fan-out of the real server process (server/src/main.ts) on PostgreSQL, the production
 * metadata store (a fresh database on 127.0.0.1:5432), plain HTTP (as behind a TLS proxy):
 *
 * 1. Long-poll wake latency over `commits` commits: device B holds a long poll, device A uploads
 *    a 1 KiB file (a full version commit through the storage engine). The commit instant is when
 *    an independent LISTEN connection of this script sees the journal's NOTIFY (PostgreSQL sends
 *    it at commit); the latency is from there to B's poll answer. p50 target: < 20 ms.
 * 2. Capacity: `connections` idle connections (half long polls, half websockets that resumed and
 *    synced) held by the one server process, opened from `clients` client processes over
 *    `addresses` source addresses 127.0.0.2… (ephemeral ports are per source address); the
 *    server's RSS with them open; then one commit, and the time until every poll answered and
 *    every socket received the change. Target: ≥ 20,000 under 1 GiB RSS. Every socket costs the
 *    server a file descriptor: the default count stays under this machine's hard RLIMIT_NOFILE.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { memoryOf, startServerProcess } from '@coffer/server/testing/server-process';
import { scriptOptions } from './options.js';

/** This process's own limit on open files: the server child inherits it. */
const NOFILE = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 1024);
const opt = scriptOptions(
  // The server needs a few dozen descriptors besides the connections.
  { commits: 1000, connections: Math.min(20_000, NOFILE - 100), clients: 4, addresses: 8 },
  'npm run bench:sync [-- --commits 1000 --connections 19400 --clients 4 --addresses 8]',
);
const COMMITS = opt.commits;
const CONNECTIONS = opt.connections;
const CLIENTS = opt.clients;
const ADDRESSES = opt.addresses;

const now = () => performance.now();
const at = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const MiB = 1024 * 1024;

interface Reply {
  status: number;
  body: any;
}

function call(url: string, agent: Agent, method: string, path: string, token: string, body?: Buffer | string, type?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (type) headers['content-type'] = type;
    const req = request(new URL(path, url), { method, agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** CPU seconds used by a process so far (user + system), from /proc. */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Wait until the server has used under 2% of a core for a second: every request sent is handled. */
async function serverIdle(pid: number): Promise<void> {
  for (;;) {
    const before = cpuOf(pid);
    await sleep(1000);
    if (cpuOf(pid) - before < 0.02) return;
  }
}

console.log(`Coffer sync benchmark — server process on PostgreSQL, plain HTTP, ${availableParallelism()} cores, RLIMIT_NOFILE ${NOFILE}`);
const srv = await startServerProcess({ backend: 'postgres', env: { COFFER_VALIDATE_ANSWERS: '0' } }) // as production runs it: no answer checks;
const workers: ChildProcess[] = [];
let listener: postgres.Sql | undefined;
try {
  const aAgent = new Agent({ keepAlive: true, maxSockets: 4 });
  const bAgent = new Agent({ keepAlive: true, maxSockets: 4 });
  const me = (await call(srv.url, aAgent, 'GET', '/api/v1/me', srv.token)).body;
  const login = await call(srv.url, bAgent, 'POST', '/api/v1/auth/login', '', JSON.stringify({ username: me.username, password: 'correct horse battery staple', device: { name: 'B', kind: 'desktop' } }), 'application/json');
  const bToken = login.body.token as string;
  const upload = (name: string) => call(srv.url, aAgent, 'POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(name)}`, srv.token, randomBytes(1024), 'application/octet-stream');

  // The commit instant, as an independent listener sees it.
  listener = postgres(srv.databaseUrl!, { max: 1, onnotice: () => {} });
  let committedAt = 0;
  await listener.listen('coffer_journal', (payload) => {
    if (!payload.startsWith('ping:')) committedAt = at();
  });

  // 1. Wake latency.
  let cursor = (await call(srv.url, bAgent, 'GET', '/api/v1/changes/latest', bToken)).body.cursor as number;
  const fromCommit: number[] = [];
  const fromAck: number[] = [];
  const commit: number[] = [];
  let early = 0;
  for (let i = 0; i < COMMITS; i++) {
    let answered = 0;
    const poll = call(srv.url, bAgent, 'GET', `/api/v1/changes/longpoll?cursor=${cursor}&timeout=60`, bToken).then((r) => {
      answered = at();
      return r;
    });
    await sleep(3); // let the poll reach the server and start waiting
    committedAt = 0;
    const t0 = at();
    const up = await upload(`/lat-${i}.bin`);
    const t1 = at();
    if (up.status !== 201) throw new Error(`upload ${i}: ${up.status} ${JSON.stringify(up.body)}`);
    const r = await poll;
    if (!r.body.changes) throw new Error(`poll ${i} answered ${JSON.stringify(r.body)}`);
    while (!committedAt) await sleep(1);
    if (answered < t1) early++;
    fromCommit.push(answered - committedAt);
    fromAck.push(answered - t1);
    commit.push(t1 - t0);
    const page = await call(srv.url, bAgent, 'GET', `/api/v1/changes?cursor=${cursor}`, bToken);
    if (page.body.entries.length !== 1) throw new Error(`commit ${i}: ${page.body.entries.length} entries`);
    cursor = page.body.cursor;
  }
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`\nlong-poll wake latency over ${COMMITS} commits (1 KiB uploads):`);
  console.log(`  commit (NOTIFY seen) → poll answered:  p50 ${ms(pct(fromCommit, 50))}  p99 ${ms(pct(fromCommit, 99))}   (target p50 < 20 ms)`);
  console.log(`  upload acked → poll answered:          p50 ${ms(pct(fromAck, 50))}  p99 ${ms(pct(fromAck, 99))}   (${early} of ${COMMITS} polls answered before the upload's own answer)`);
  console.log(`  the upload's round trip:               p50 ${ms(pct(commit, 50))}  p99 ${ms(pct(commit, 99))}`);
  aAgent.destroy();
  bAgent.destroy();

  // 2. Capacity: idle long polls and websockets held by one server process.
  await serverIdle(srv.pid);
  const base = await memoryOf(srv.pid);
  const addresses = Array.from({ length: ADDRESSES }, (_, i) => `127.0.0.${i + 2}`);
  const per = Math.ceil(CONNECTIONS / CLIENTS);
  const script = fileURLToPath(new URL('./bench-sync-client.ts', import.meta.url));
  const replies = new Map<ChildProcess, any[]>();
  const next = (w: ChildProcess, type: string) =>
    new Promise<any>((resolve, reject) => {
      const queued = replies.get(w)!.findIndex((m) => m.type === type);
      if (queued >= 0) return resolve(replies.get(w)!.splice(queued, 1)[0]);
      const onMsg = (m: any) => {
        if (m.type !== type) return;
        w.off('message', onMsg);
        replies.get(w)!.splice(replies.get(w)!.indexOf(m), 1);
        resolve(m);
      };
      w.on('message', onMsg);
      w.once('exit', (code) => reject(new Error(`a client process exited (${code})`)));
    });
  const t = now();
  for (let i = 0; i < CLIENTS; i++) {
    const w = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    replies.set(w, []);
    w.on('message', (m) => replies.get(w)!.push(m));
    workers.push(w);
    const share = Math.min(per, CONNECTIONS - i * per);
    w.send({
      cmd: 'open',
      url: srv.url,
      token: bToken,
      cursor,
      longpolls: Math.floor(share / 2),
      sockets: share - Math.floor(share / 2),
      addresses: addresses.length >= CLIENTS ? addresses.filter((_, j) => j % CLIENTS === i) : [addresses[i % addresses.length]!],
    });
  }
  const opened = await Promise.all(workers.map((w) => next(w, 'opened')));
  const failed = opened.reduce((s, o) => s + o.failed, 0);
  const polls = opened.reduce((s, o) => s + o.longpolls, 0);
  const sockets = opened.reduce((s, o) => s + o.sockets, 0);
  const openMs = now() - t;
  await serverIdle(srv.pid);
  const armed = await Promise.all(workers.map((w) => (w.send({ cmd: 'arm' }), next(w, 'armed'))));
  const answeredEarly = armed.reduce((s, a) => s + a.early, 0);
  const held = await memoryOf(srv.pid);
  const count = polls + sockets - failed;

  committedAt = 0;
  const up = await call(srv.url, new Agent(), 'POST', `/api/v1/upload?uploadType=media&path=%2Fwake-all.bin`, srv.token, randomBytes(1024), 'application/octet-stream');
  if (up.status !== 201) throw new Error(`wake upload: ${up.status}`);
  const woken = await Promise.all(workers.map((w) => next(w, 'woken')));
  while (!committedAt) await sleep(1);
  const firstMs = Math.min(...woken.map((x) => x.first)) - committedAt;
  const lastMs = Math.max(...woken.map((x) => x.last)) - committedAt;
  const after = await memoryOf(srv.pid);

  console.log(`\nidle connections held by one server process:`);
  console.log(`  ${count} held (${polls} long polls + ${sockets} websockets; ${failed} failed to open; ${answeredEarly} answered early), opened in ${(openMs / 1000).toFixed(1)} s from ${CLIENTS} client processes over ${ADDRESSES} source addresses`);
  console.log(`  server RSS: ${(base.rss / MiB).toFixed(0)} MiB idle → ${(held.rss / MiB).toFixed(0)} MiB holding them (${((held.rss - base.rss) / 1024 / Math.max(1, count)).toFixed(1)} KiB each); ${(after.hwm / MiB).toFixed(0)} MiB peak (VmHWM) after waking them   (target ≥ 20,000 under 1 GiB)`);
  console.log(`  one commit wakes them all: the first ${firstMs.toFixed(0)} ms after the commit, all ${woken.reduce((s, x) => s + x.count, 0)} after ${lastMs.toFixed(0)} ms`);
  if (count < 20_000) console.log(`  (${count} < 20,000: every connection is a file descriptor of the server, and RLIMIT_NOFILE here is ${NOFILE} (hard); pass --connections N where the limit allows)`);
} finally {
  for (const w of workers) {
    w.send({ cmd: 'exit' });
  }
  await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
  await listener?.end();
  await srv.cleanup();
}
