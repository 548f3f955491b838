/**
 * What `npm run test:stack` asks of the running topology (topology.ts): each check throws
 * (node:assert) when the stack does not do what compose.yaml promises.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import postgres from 'postgres';
import { EventsClient } from '@coffer/server/testing/sync-devices';
import type { StackClient, Reply } from './client.js';
import { composeSchemaErrors, loadCompose } from './compose-file.js';
import type { ImageLayout } from './image-layout.js';
import { ADMIN_PASSWORD, bootInstance, waitHealthy, type Instance, type Stack } from './topology.js';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Ctx {
  stack: Stack;
  http: StackClient;
  token: string;
  auth: Record<string, string>;
  image: ImageLayout;
  /** The instance instanceKilledMidUpload killed. */
  killed?: Instance;
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
  ctx.killed = killed;
  assert.equal(sha(await downloaded(ctx, proxy, '/stack/survivor.bin')), sha(data), 'the file reads back identical');
  return `${killed.name} killed mid-piece; ${failures} failed request(s), ${retries} status probe(s) through the proxy; the ${data.length}-byte upload finished on the other instance, identical`;
}

/** `restart: unless-stopped` brings the crashed instance back; the proxy's health check puts it back in rotation. */
export async function killedInstanceRejoins(ctx: Ctx): Promise<string> {
  const inst = ctx.killed;
  assert.ok(inst, 'no instance was killed before');
  const t = Date.now();
  inst.output = '';
  await bootInstance(inst, ctx.image);
  await waitHealthy(inst, ctx.image);
  const healthyAfter = Date.now() - t;
  const before = ctx.stack.balancer.counts[inst.name] ?? 0;
  const deadline = Date.now() + 20_000;
  while ((ctx.stack.balancer.counts[inst.name] ?? 0) === before) {
    assert.ok(Date.now() < deadline, `the proxy sent nothing to ${inst.name} within 20 s of it being healthy`);
    const r = await ctx.http.call('GET', downloadUrl(ctx.stack.balancer.url, '/stack/survivor.bin'), { headers: { ...ctx.auth, range: 'bytes=0-0' } });
    assert.ok(r.status === 206 || r.status === 200, `read through the proxy: ${r.status}`);
    await sleep(250);
  }
  return `${inst.name} healthy ${healthyAfter} ms after its restart, and served through the proxy again`;
}

/** `docker stop` / `docker compose down`: SIGTERM (tini passes it on), then each instance exits 0 on its own, well within the grace period. */
export async function stopsCleanly(ctx: Ctx): Promise<string> {
  const out: string[] = [];
  for (const inst of ctx.stack.instances) {
    const p = inst.proc;
    assert.ok(p && p.exitCode === null, `${inst.name} is running`);
    const t = Date.now();
    const exit = new Promise<{ code: number | null; signal: string | null }>((r) => p.once('exit', (code, signal) => r({ code, signal })));
    p.kill('SIGTERM');
    const ended = await Promise.race([exit, sleep(20_000).then(() => undefined)]);
    assert.ok(ended, `${inst.name} still running 20 s after SIGTERM (compose grants 40 s):\n${inst.output.slice(-2000)}`);
    assert.deepEqual(ended, { code: 0, signal: null }, `${inst.name} exits 0 by itself:\n${inst.output.slice(-2000)}`);
    assert.ok(inst.output.includes('Coffer stopped'), `${inst.name} says it stopped`);
    out.push(`${inst.name} in ${Date.now() - t} ms`);
  }
  return `SIGTERM → exit 0: ${out.join(', ')}`;
}

/**
 * README, "Add a disk", done to a copy of compose.yaml and .env: HOT7_PATH in .env; a hot7
 * service, its COFFER_NODES entry and its depends_on line in compose.yaml; `docker compose up -d`
 * (hot7 starts, both instances are recreated with the new list, one after the other). Then new
 * blocks land on the new disk and everything reads back.
 */
export async function diskAdded(ctx: Ctx, root: string): Promise<string> {
  const { stack } = ctx;
  const composeText = addDiskToCompose(readFileSync(join(root, 'compose.yaml'), 'utf8'), readFileSync(join(root, 'README.md'), 'utf8'));
  const env = { ...stack.env, HOT7_PATH: join(stack.workDir, 'disks', 'hot7') };
  const dotEnv = Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
  const file = join(stack.workDir, 'compose.added-disk.yaml');
  writeFileSync(file, composeText);
  const doc = loadCompose(file, env);
  const errors = composeSchemaErrors(doc, join(root, 'scripts/stack/compose-spec.schema.json'));
  assert.deepEqual(errors, [], errors.join('\n'));
  assert.ok(doc.services.hot7, 'the edited file has hot7');

  await stack.startNode('hot7', doc.services.hot7!);
  for (const inst of stack.instances) {
    inst.env = stack.instanceEnv(doc, inst.name, dotEnv);
    assert.ok(inst.env.COFFER_NODES!.includes('hot7='), `${inst.name} gets hot7 in COFFER_NODES`);
    // Recreated: stopped (SIGTERM) if running, started with the new list, healthy before the next.
    const p = inst.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGTERM');
      await exited;
    }
    inst.output = '';
    await bootInstance(inst, ctx.image);
    await waitHealthy(inst, ctx.image);
    const deadline = Date.now() + 10_000;
    while (!/storage nodes: /.test(inst.output) && Date.now() < deadline) await sleep(100);
    assert.match(inst.output, /storage nodes: [^\n]*hot7/, `${inst.name} runs with hot7`);
  }
  // New files: with seven hot nodes and 4+2 stripes, hot7 takes shards of new blocks.
  const disk = env.HOT7_PATH;
  const files: Buffer[] = [];
  for (let i = 0; i < 6; i++) {
    const data = randomBytes(2 * MiB + i);
    files.push(data);
    const res = await ctx.http.call('POST', uploadUrl(stack.balancer.url, `/stack/after-disk-${i}.bin`), { headers: ctx.auth, body: data });
    assert.equal(res.status, 201, `upload after adding the disk: ${res.body.toString()}`);
  }
  // The README's rebalance onto the new node is accepted (and runs in the background).
  const rebalance = await ctx.http.call('POST', `${stack.balancer.url}/api/v1/admin/nodes/hot7/rebalance`, { headers: ctx.auth });
  assert.equal(rebalance.status, 201, `rebalance onto hot7: ${rebalance.body.toString()}`);
  const onDisk = countFiles(disk);
  assert.ok(onDisk > 0, `no shard on the new disk ${disk}`);
  for (const [i, data] of files.entries()) assert.equal(sha(await downloaded(ctx, stack.balancer.url, `/stack/after-disk-${i}.bin`)), sha(data));
  assert.equal(sha(await downloaded(ctx, stack.balancer.url, '/stack/cross.bin')).length, 64, 'files from before read back too');
  return `hot7 on ${disk}: both instances recreated with it; ${onDisk} objects on the new disk after 6 uploads; all read back`;
}

/**
 * The README's "Add a disk" edit, taken from the README itself: its backticked hot7 service,
 * COFFER_NODES entry and depends_on line, each put after its hot6 line (as it says).
 */
export function addDiskToCompose(text: string, readme: string): string {
  const para = /\*\*Add a disk\*\*[\s\S]*?\n\n/.exec(readme)?.[0];
  assert.ok(para, 'README has an "Add a disk" paragraph');
  const spans = [...para.replace(/\n/g, ' ').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const service = spans.find((t) => t.startsWith('hot7: { <<:'));
  const entry = spans.find((t) => t.startsWith('hot7=http'));
  const dep = spans.find((t) => t.startsWith('hot7: { condition:'));
  assert.ok(service && entry && dep, `the README names hot7's service, node entry and depends_on line: ${spans.join(' | ')}`);
  const lines = text.split('\n');
  const at = (pred: (l: string) => boolean, what: string) => {
    const i = lines.findIndex(pred);
    assert.ok(i > 0, `compose.yaml has hot6's ${what}`);
    return i;
  };
  const svc = at((l) => l.startsWith('  hot6: '), 'service');
  const ent = at((l) => l.trim().startsWith('hot6=http://'), 'COFFER_NODES entry');
  const dp = at((l) => l.trim().startsWith('hot6: { condition: service_healthy }'), 'depends_on line');
  const indent = (i: number) => lines[i]!.match(/^\s*/)![0];
  const edits = [
    { i: svc, line: `  ${service}` },
    { i: dp, line: `${indent(dp)}${dep}` },
    { i: ent, line: `${indent(ent)}${entry}`, comma: true },
  ].sort((a, b) => b.i - a.i); // bottom up, so each index still points at its line
  for (const e of edits) {
    if (e.comma) lines[e.i] = `${lines[e.i]},`;
    lines.splice(e.i + 1, 0, e.line);
  }
  return lines.join('\n');
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}
