/**
 * What `npm run test:stack` asks of the running topology (topology.ts): each check throws
 * (node:assert) when the stack does not do what compose.yaml promises.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import postgres from 'postgres';
import { EventsClient } from '@coffer/server/testing/sync-devices';
import type { StackClient, Reply } from './client.js';
import { ADMIN_PASSWORD, type Instance, type Stack } from './topology.js';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Ctx {
  stack: Stack;
  http: StackClient;
  token: string;
  auth: Record<string, string>;
  log(line: string): void;
}

export async function signIn(stack: Stack, http: StackClient): Promise<string> {
  const res = await http.call('POST', `${stack.balancer.url}/api/v1/auth/login`, { json: { username: 'admin', password: ADMIN_PASSWORD } });
  assert.equal(res.status, 200, `sign-in through the proxy: ${res.body.toString()}`);
  const token = res.json<{ token: string }>().token;
  const dir = await http.call('POST', `${stack.balancer.url}/api/v1/mkdir`, { headers: { authorization: `Bearer ${token}` }, json: { path: '/stack' } });
  assert.equal(dir.status, 201, `mkdir /stack: ${dir.body.toString()}`);
  return token;
}

const uploadUrl = (base: string, path: string) => `${base}/api/v1/upload?uploadType=media&path=${encodeURIComponent(path)}`;
const downloadUrl = (base: string, path: string) => `${base}/api/v1/download?path=${encodeURIComponent(path)}`;

/** The session's path and query, whichever base its Location names (COFFER_PUBLIC_URL: the proxy). */
function sessionPath(location: string): string {
  const u = new URL(location);
  return `${u.pathname}${u.search}`;
}

function storedBytes(res: Reply): number {
  const r = res.headers.range;
  if (!r) return 0;
  const m = /^bytes=0-(\d+)$/.exec(String(r));
  assert.ok(m, `unexpected Range on 308: ${r}`);
  return Number(m[1]) + 1;
}

async function startSession(ctx: Ctx, base: string, path: string, size: number): Promise<string> {
  const res = await ctx.http.call('POST', `${base}/api/v1/upload?uploadType=resumable`, { headers: ctx.auth, json: { path, size } });
  assert.equal(res.status, 200, `resumable start: ${res.status} ${res.body.toString()}`);
  const location = String(res.headers.location ?? '');
  assert.ok(location.startsWith(ctx.stack.env.COFFER_PUBLIC_URL!), `the session Location names COFFER_PUBLIC_URL (the proxy): ${location}`);
  return sessionPath(location);
}

function putPiece(ctx: Ctx, base: string, session: string, data: Buffer | Readable, start: number, length: number, total: number): Promise<Reply> {
  return ctx.http.call('PUT', `${base}${session}`, {
    headers: { ...ctx.auth, 'content-range': `bytes ${start}-${start + length - 1}/${total}`, 'content-length': String(length) },
    body: data,
  });
}

async function downloaded(ctx: Ctx, base: string, path: string): Promise<Buffer> {
  const res = await ctx.http.call('GET', downloadUrl(base, path), { headers: ctx.auth });
  assert.equal(res.status, 200, `download ${path} from ${base}: ${res.status} ${res.body.toString().slice(0, 200)}`);
  return res.body;
}

/** Upload through instance 1, download through instance 2 (and the proxy). */
export async function crossInstanceTransfer(ctx: Ctx): Promise<string> {
  const [one, two] = ctx.stack.instances as [Instance, Instance];
  const data = randomBytes(5 * MiB + 12_345);
  const up = await ctx.http.call('POST', uploadUrl(one.url, '/stack/cross.bin'), { headers: ctx.auth, body: data });
  assert.equal(up.status, 201, `upload via ${one.name}: ${up.body.toString()}`);
  assert.equal(sha(await downloaded(ctx, two.url, '/stack/cross.bin')), sha(data), `${two.name} serves what ${one.name} stored`);
  assert.equal(sha(await downloaded(ctx, ctx.stack.balancer.url, '/stack/cross.bin')), sha(data), 'the proxy serves it too');
  return `${data.length} bytes up via ${one.name}, identical down via ${two.name} and via the proxy`;
}

/** A resumable upload opened on instance 1 and finished on instance 2. */
export async function resumableAcrossInstances(ctx: Ctx): Promise<string> {
  const [one, two] = ctx.stack.instances as [Instance, Instance];
  const data = randomBytes(12 * MiB);
  const session = await startSession(ctx, one.url, '/stack/resumed.bin', data.length);
  const first = await putPiece(ctx, one.url, session, data.subarray(0, 4 * MiB), 0, 4 * MiB, data.length);
  assert.equal(first.status, 308, `first piece via ${one.name}: ${first.body.toString()}`);
  // The other instance asks how far it got and sends the rest.
  const probe = await ctx.http.call('PUT', `${two.url}${session}`, { headers: { ...ctx.auth, 'content-range': `bytes */${data.length}` } });
  assert.equal(probe.status, 308, `status via ${two.name}: ${probe.status} ${probe.body.toString()}`);
  const at = storedBytes(probe);
  assert.ok(at > 0 && at <= 4 * MiB, `${two.name} sees the bytes ${one.name} stored (${at})`);
  const rest = await putPiece(ctx, two.url, session, data.subarray(at), at, data.length - at, data.length);
  assert.ok(rest.status === 200 || rest.status === 201, `the rest via ${two.name}: ${rest.status} ${rest.body.toString()}`);
  assert.equal(sha(await downloaded(ctx, one.url, '/stack/resumed.bin')), sha(data));
  return `opened and ${at} bytes stored via ${one.name}, resumed at ${at} and committed via ${two.name}; identical`;
}

/** A websocket on instance 2 (and one through the proxy) woken by a commit on instance 1. */
export async function websocketAcrossInstances(ctx: Ctx): Promise<string> {
  const [one, two] = ctx.stack.instances as [Instance, Instance];
  const latest = await ctx.http.call('GET', `${two.url}/api/v1/changes/latest`, { headers: ctx.auth });
  assert.equal(latest.status, 200);
  const cursor = latest.json<{ cursor: number }>().cursor;
  const direct = await EventsClient.open(two.url, ctx.token);
  const proxied = await EventsClient.open(ctx.stack.balancer.url, ctx.token, { ca: ctx.http.ca });
  try {
    direct.send({ type: 'resume', cursor });
    proxied.send({ type: 'resume', cursor });
    await Promise.all([direct.next((m) => m.type === 'synced'), proxied.next((m) => m.type === 'synced')]);
    const started = Date.now();
    const up = await ctx.http.call('POST', uploadUrl(one.url, '/stack/wake.txt'), { headers: ctx.auth, body: 'wake up' });
    assert.equal(up.status, 201);
    const timeout = (what: string) => sleep(15_000).then(() => Promise.reject(new Error(`${what}: no change event within 15 s`)));
    const [change] = await Promise.race([direct.next((m) => m.type === 'change' && (m.entry as { name?: string }).name === 'wake.txt'), timeout(two.name)]);
    const woke = Date.now() - started;
    await Promise.race([proxied.next((m) => m.type === 'change' && (m.entry as { name?: string }).name === 'wake.txt'), timeout('proxy')]);
    assert.ok(change);
    return `a websocket on ${two.name} (and one through the proxy) got the commit made on ${one.name} (${woke} ms after the upload started)`;
  } finally {
    direct.ws.close();
    proxied.ws.close();
  }
}

/** Jobs queued through the proxy run once each, by runners of both instances. */
export async function jobsLeasedOnce(ctx: Ctx): Promise<string> {
  const kinds = ['gc', 'retention', 'repair', 'gc', 'retention', 'repair', 'gc', 'retention'] as const;
  const ids: string[] = [];
  for (const kind of kinds) {
    const res = await ctx.http.call('POST', `${ctx.stack.balancer.url}/api/v1/admin/jobs`, { headers: ctx.auth, json: { kind } });
    assert.equal(res.status, 201, `queue ${kind}: ${res.body.toString()}`);
    ids.push(res.json<{ id: string }>().id);
    await sleep(300);
  }
  const sql = postgres(ctx.stack.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    type Row = { id: string; state: string; attempts: number; locked_by: string | null };
    let rows: Row[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      rows = await sql<Row[]>`select id::text, state, attempts, locked_by from jobs where id::text in ${sql(ids)}`;
      if (rows.length === ids.length && rows.every((r) => r.state === 'done' || r.state === 'failed')) break;
      assert.ok(Date.now() < deadline, `jobs not finished within 60 s: ${JSON.stringify(rows)}`);
      await sleep(500);
    }
    for (const r of rows) {
      assert.equal(r.state, 'done', `job ${r.id}: ${JSON.stringify(r)}`);
      assert.equal(r.attempts, 1, `job ${r.id} was claimed ${r.attempts} times`);
    }
    const pidOf = (runner: string) => Number(runner.split(':')[1]);
    const byInstance = new Map<string, number>();
    for (const r of rows) {
      const inst = ctx.stack.instances.find((i) => i.proc?.pid === pidOf(r.locked_by ?? ''));
      assert.ok(inst, `job ${r.id} ran in no instance of the stack (${r.locked_by})`);
      byInstance.set(inst.name, (byInstance.get(inst.name) ?? 0) + 1);
    }
    assert.equal(byInstance.size, ctx.stack.instances.length, `every instance runs jobs: ${JSON.stringify([...byInstance])}`);
    // Schedules too: each (kind, slot) was enqueued once although both instances enqueue them.
    const dup = await sql<{ unique_key: string; n: number }[]>`select unique_key, count(*)::int as n from jobs where unique_key is not null group by unique_key having count(*) > 1`;
    assert.equal(dup.length, 0, `schedule slots enqueued twice: ${JSON.stringify(dup)}`);
    return `${rows.length} jobs, each claimed once (attempts = 1): ${[...byInstance].map(([n, c]) => `${n} ran ${c}`).join(', ')}`;
  } finally {
    await sql.end();
  }
}

/**
 * One instance killed (SIGKILL) while it receives a piece of an upload going through the proxy;
 * the client asks the proxy how far the upload got, resumes, and finishes on the other instance.
 */
export async function instanceKilledMidUpload(ctx: Ctx): Promise<string> {
  const proxy = ctx.stack.balancer.url;
  const data = randomBytes(24 * MiB);
  const PIECE = 4 * MiB;
  const session = await startSession(ctx, proxy, '/stack/survivor.bin', data.length);
  let at = 0;
  let killed: Instance | undefined;
  let failures = 0;
  let retries = 0;
  while (at < data.length) {
    const end = Math.min(at + PIECE, data.length);
    let res: Reply | undefined;
    if (!killed && at >= 2 * PIECE) {
      // Send this piece slowly, and kill whichever instance is receiving it half-way through.
      const piece = data.subarray(at, end);
      const slow = Readable.from(
        (async function* () {
          for (let o = 0; o < piece.length; o += 256 * 1024) {
            yield piece.subarray(o, o + 256 * 1024);
            await sleep(40);
          }
        })(),
      );
      const pending = putPiece(ctx, proxy, session, slow, at, end - at, data.length).then(
        (r) => r,
        (e: unknown) => e as Error,
      );
      await sleep(250);
      const busy = Object.entries(ctx.stack.balancer.active).find(([, n]) => n > 0)?.[0];
      killed = ctx.stack.instances.find((i) => i.name === busy);
      assert.ok(killed, `no instance was receiving the piece (${JSON.stringify(ctx.stack.balancer.active)})`);
      await killed.kill();
      const outcome = await pending;
      assert.ok(outcome instanceof Error || outcome.status >= 500, `the piece cut by the kill did not succeed (${outcome instanceof Error ? outcome.message : outcome.status})`);
      failures++;
    } else {
      try {
        res = await putPiece(ctx, proxy, session, data.subarray(at, end), at, end - at, data.length);
      } catch {
        failures++;
      }
    }
    if (res && (res.status === 200 || res.status === 201)) {
      at = data.length;
      break;
    }
    if (res && res.status === 308) {
      at = storedBytes(res);
      continue;
    }
    // Failed: ask through the proxy how far it got (the proxy sends it to the live instance).
    retries++;
    assert.ok(retries <= 10, 'the upload did not recover within 10 retries');
    const probe = await ctx.http.call('PUT', `${proxy}${session}`, { headers: { ...ctx.auth, 'content-range': `bytes */${data.length}` } });
    assert.ok(probe.status === 308 || probe.status === 200 || probe.status === 201, `status after the failure: ${probe.status} ${probe.body.toString()}`);
    if (probe.status !== 308) break;
    at = storedBytes(probe);
  }
  assert.ok(killed, 'an instance was killed');
  assert.equal(sha(await downloaded(ctx, proxy, '/stack/survivor.bin')), sha(data), 'the file reads back identical');
  return `${killed.name} killed mid-piece; ${failures} failed request(s), ${retries} status probe(s) through the proxy; the ${data.length}-byte upload finished on the other instance, identical`;
}
