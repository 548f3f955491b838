/**
 * The upload part of `npm run bench:web` (alone: `node --import tsx scripts/bench-web/upload.ts [-- --size-mib 1024 --runs 1]`).
 *
 * A server process over HTTPS (its self-signed certificate; PGlite, three local-directory nodes:
 * the embedded default) serving the built app. A 1 GiB file goes up twice per run, each into an
 * empty namespace as far as its bytes go (its own seed, so nothing dedups):
 *   - through the web app in chromium: a file on disk picked with the Upload button's file input
 *     (Playwright's setInputFiles), timed from the pick to the transfer row saying "done" (read,
 *     cut, hashed with Web Crypto, blocks PUT, committed);
 *   - with the CLI, `coffer put FILE` from a file of the same size on disk, timed from spawn to
 *     exit, and again without its start-up (a `coffer put` of a one-byte file, subtracted).
 * Reports MB/s of each and the ratio (the target: the browser at ≥ 70 % of the CLI).
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt } from '@coffer/web/build';
import { chromium } from 'playwright-core';
import { PASSWORD, startServerProcess } from '@coffer/server/testing/server-process';
import { scriptOptions } from '../options.js';
import { genBytes } from '@coffer/web/testing/generated-bytes';

const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = import.meta.resolve('tsx');


async function writeGenerated(path: string, seed: number, size: number): Promise<void> {
  const out = createWriteStream(path);
  for (let at = 0; at < size; at += 8 * MiB) {
    if (!out.write(genBytes(seed, at, Math.min(8 * MiB, size - at)))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

function runCli(args: string[], configDir: string, input = ''): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, `${ROOT}client/bin/coffer.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, COFFER_CONFIG_DIR: configDir },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    child.stdin.end(input);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const mbps = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;

export async function benchUpload(o: { sizeMiB?: number; runs?: number } = {}): Promise<Record<string, unknown>> {
  const size = (o.sizeMiB ?? 1024) * MiB;
  const runs = o.runs ?? 1;
  await ensureWebBuilt();
  const srv = await startServerProcess({ tls: true });
  const work = await mkdtemp(join(tmpdir(), 'coffer-bench-web-'));
  // The browser tests' chromium and flags (web/test/fixtures/browser.ts; not imported: it is DOM-typed).
  const browser = await chromium.launch({
    executablePath: process.env.COFFER_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const web: number[] = [];
  const cli: number[] = [];
  const cliNet: number[] = [];
  try {
    const configDir = join(work, 'config');
    const fingerprint = new X509Certificate(srv.ca!).fingerprint256;
    const login = await runCli(['login', srv.url, '--username', srv.username, '--password-stdin', '--fingerprint', fingerprint], configDir, PASSWORD);
    if (login.code !== 0) throw new Error(`coffer login failed: ${login.stderr}`);
    const context = await browser.newContext({ baseURL: srv.url, ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    const res = await context.request.post('/api/v1/auth/login', { data: { username: srv.username, password: PASSWORD, cookie: true }, headers: { origin: srv.url } });
    if (!res.ok()) throw new Error(`sign-in failed: ${res.status()}`);
    const tiny = join(work, 'tiny.bin');
    await writeFile(tiny, 'x');

    for (let run = 0; run < runs; run++) {
      // The browser: the file is made in the page first, then dropped; timed to "done".
      const page = await context.newPage();
      await page.goto('/files');
      await page.locator('.drop-zone').waitFor();
      const name = `web-${run}.bin`;
      // From a file on disk (a Blob of 1 GiB made in the page is refused by Chromium's in-memory blob limit).
      const webFile = join(work, name);
      await writeGenerated(webFile, 1000 + run, size);
      const t0 = performance.now();
      await page.locator('input[data-upload="files"]').setInputFiles(webFile);
      await page.locator('.transfer[data-state="done"], .transfer[data-state="failed"]').first().waitFor({ timeout: 30 * 60_000 });
      if ((await page.locator('.transfer[data-state="failed"]').count()) > 0) throw new Error(`the browser upload failed: ${await page.locator('.transfer').first().textContent()}`);
      web.push(performance.now() - t0);
      await page.close();

      // The CLI: the same size from disk (its own seed).
      await rm(webFile);
      const file = join(work, `cli-${run}.bin`);
      await writeGenerated(file, 2000 + run, size);
      const s0 = performance.now();
      const small = await runCli(['put', tiny, `/tiny-${run}.bin`], configDir);
      const startup = performance.now() - s0;
      if (small.code !== 0) throw new Error(`coffer put failed: ${small.stderr}`);
      const c0 = performance.now();
      const put = await runCli(['put', file, `/cli-${run}.bin`], configDir);
      const ms = performance.now() - c0;
      if (put.code !== 0) throw new Error(`coffer put failed: ${put.stderr}`);
      cli.push(ms);
      cliNet.push(ms - startup);
      await rm(file);
    }
  } finally {
    await browser.close().catch(() => {});
    await srv.cleanup();
    await rm(work, { recursive: true, force: true });
  }
  const webMBps = mbps(size, median(web));
  const cliMBps = mbps(size, median(cli));
  const cliNetMBps = mbps(size, median(cliNet));
  return {
    sizeMiB: size / MiB,
    runs,
    webMBps,
    cliMBps,
    cliWithoutStartupMBps: cliNetMBps,
    ratio: Math.round((webMBps / cliMBps) * 100) / 100,
    ratioWithoutCliStartup: Math.round((webMBps / cliNetMBps) * 100) / 100,
    target: 0.7,
    webMs: web.map(Math.round),
    cliMs: cli.map(Math.round),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opt = scriptOptions({ 'size-mib': 1024, runs: 1 }, 'node --import tsx scripts/bench-web/upload.ts [-- --size-mib 1024 --runs 1]');
  console.log(JSON.stringify(await benchUpload({ sizeMiB: opt['size-mib'], runs: opt.runs }), null, 2));
}
