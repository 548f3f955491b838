/**
 * `npm run test:stack`: compose.yaml proven without Docker (there is no engine here). Checks the
 * file against the Compose Specification's schema and the rules the stack lives by, builds the
 * image's JavaScript, replays the Dockerfile's last stage into a directory, starts the compose
 * topology from there as processes (topology.ts), prints it, and runs the checks (checks.ts).
 * Exit 0 when all pass; 1 with the failures otherwise. Everything started is stopped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCaddyfile } from './caddyfile.js';
import { checkComposeRules } from './compose-rules.js';
import { StackClient } from './client.js';
import { crossInstanceTransfer, diskAdded, instanceKilledMidUpload, jobsLeasedOnce, killedInstanceRejoins, resumableAcrossInstances, signIn, stopsCleanly, websocketAcrossInstances, type Ctx } from './checks.js';
import { assembleImage } from './image-layout.js';
import { startStack, type Stack } from './topology.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const started = Date.now();
const results: { name: string; ok: boolean; detail: string; ms: number }[] = [];
const log = (line: string) => console.log(line);

async function step(name: string, fn: () => Promise<string> | string): Promise<boolean> {
  const t = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true, detail, ms: Date.now() - t });
    log(`  ok    ${name} (${Date.now() - t} ms): ${detail}`);
    return true;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    results.push({ name, ok: false, detail, ms: Date.now() - t });
    log(`  FAIL  ${name} (${Date.now() - t} ms): ${detail}`);
    return false;
  }
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: process.env });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

const work = await mkdtemp(join(tmpdir(), 'coffer-stack-'));
let stack: Stack | undefined;
let http: StackClient | undefined;
try {
  log('compose.yaml');
  await step('schema and rules', () => checkComposeRules(ROOT));
  await step('Caddyfile', () => checkCaddyfile(ROOT, ['coffer1', 'coffer2']) ?? 'skipped: caddy is not installed (apt-get install caddy; .ci/run does)');

  log('image');
  // What the Dockerfile's build stage runs (npm run build), then its last stage replayed.
  await step('build (npm run build: web app and server JavaScript)', () => run('npm', ['run', '-s', 'build']));
  let image: Awaited<ReturnType<typeof assembleImage>> | undefined;
  await step('last stage replayed', async () => {
    image = await assembleImage(ROOT, join(work, 'image'));
    assert.equal(image.workdir, '/app');
    assert.ok(image.user && image.user !== 'root' && image.user !== '0', `the image runs as a user, not root (USER ${image.user})`);
    assert.ok(!image.cmd.includes('tsx') && !image.cmd.some((a) => a.endsWith('.ts')), `no tsx at run time: ${image.cmd.join(' ')}`);
    assert.ok(image.entrypoint[0]?.endsWith('tini'), 'tini forwards docker stop\'s SIGTERM');
    // Never in the build context: secrets, data, installed packages, tests.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['.env', 'data', 'node_modules', '**/test']) assert.ok(ignored.includes(p), `.dockerignore leaves out ${p}`);
    return `${image.copies.length} COPYs into ${image.dir}; USER ${image.user}; ${image.entrypoint.join(' ')} ${image.cmd.join(' ')}`;
  });
  if (!image) throw new Error('no image layout');

  log('topology');
  stack = await startStack({ root: ROOT, workDir: join(work, 'stack'), image, log });
  log(stack.describe());
  http = new StackClient(stack.balancer.ca);
  const token = await signIn(stack, http);
  const ctx: Ctx = { stack, http, token, auth: { authorization: `Bearer ${token}` }, image, log };

  log('checks');
  await step('upload through one instance, download through the other', () => crossInstanceTransfer(ctx));
  await step('resumable upload started on one instance, finished on the other', () => resumableAcrossInstances(ctx));
  await step('websocket on instance 2 woken by a commit on instance 1', () => websocketAcrossInstances(ctx));
  await step('jobs leased once across both instances', () => jobsLeasedOnce(ctx));
  await step('an instance killed mid-upload; the client retries through the proxy and finishes', () => instanceKilledMidUpload(ctx));
  await step('the killed instance restarts and rejoins the rotation', () => killedInstanceRejoins(ctx));
  await step('a disk added (README, "Add a disk"): both instances recreated with it, new blocks on it', () => diskAdded(ctx, ROOT));
  await step('docker stop: SIGTERM, clean exit within the grace period', () => stopsCleanly(ctx));
} catch (err) {
  results.push({ name: 'stack', ok: false, detail: err instanceof Error ? err.stack ?? err.message : String(err), ms: 0 });
  log(`  FAIL  stack: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
} finally {
  http?.close();
  if (stack) {
    const failedAny = results.some((r) => !r.ok);
    if (failedAny) for (const i of stack.instances) log(`--- ${i.name} output (last 3000 characters) ---\n${i.output.slice(-3000)}`);
    await stack.stop();
  }
  await rm(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok);
log(`test:stack: ${results.length - failed.length} passed, ${failed.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed.length ? 1 : 0);
