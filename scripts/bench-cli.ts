/**
 * npm run bench:cli [-- --runs 15] [--tree 2000]
 *
 * Start-up of the `coffer` command as installed (client/bin/coffer.mjs running the bundle that
 * `npm run build:cli` makes; built first here): `coffer --version` (no network) and `coffer ls`
 * (a login file, one HTTPS request to a real server process), against `node -e 0` measured in the
 * same run, the three interleaved so machine load hits them alike. Target (issue 22): `--version`
 * under 150 ms; what Node itself needs to start is printed beside it.
 *
 * With `--tree N` (issue 20), then: `coffer put -r` of N small files (0.5–8 KiB of text-like
 * bytes in 20 folders) into an empty folder, timed as a whole (start-up included), in files/s,
 * and how many requests the server answered for it (its coffer_http_requests_total); and back:
 * `coffer get -r` of that folder into an empty one, timed and counted the same way, every file
 * compared with its source.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServerProcess } from '@coffer/server/testing/server-process';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { scriptOptions } from './options.js';

const opt = scriptOptions({ runs: 15, tree: 0 }, 'npm run bench:cli [-- --runs 15] [--tree 2000]');
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = join(ROOT, 'client/bin/coffer.mjs');
const TARGET_MS = 150;

const built = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build-cli.ts')], { cwd: ROOT, encoding: 'utf8' });
if (built.status !== 0) throw new Error(`build:cli failed: ${built.stderr}`);

const srv = await startServerProcess({ tls: true, env: { COFFER_VALIDATE_ANSWERS: '0' } }) // as production runs it: no answer checks;
const config = await makeTempDir('coffer-bench-cli-');
try {
  const env = { ...process.env, COFFER_CONFIG_DIR: config.path };
  const login = spawnSync(process.execPath, [BIN, 'login', srv.url, '--username', srv.username, '--password-stdin', '--yes'], { input: 'correct horse battery staple', env, encoding: 'utf8' });
  if (login.status !== 0) throw new Error(`login failed: ${login.stderr}`);

  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['coffer --version', [BIN, '--version']],
    ['coffer ls', [BIN, 'ls']],
  ];
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let i = 0; i < opt.runs; i++) {
    for (const [name, args] of cases) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
      times.get(name)!.push(ms);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(times.get('node -e 0')!);
  console.log(`start-up, median of ${opt.runs} runs (interleaved):`);
  for (const [name] of cases) {
    const m = median(times.get(name)!);
    const extra = name === 'node -e 0' ? '' : `  (+${(m - base).toFixed(0)} ms over node -e 0)`;
    const target = name === 'coffer --version' ? `  target ≤ ${TARGET_MS} ms: ${m <= TARGET_MS ? 'met' : 'NOT met'}` : '';
    console.log(`  ${name.padEnd(17)} ${m.toFixed(0).padStart(5)} ms${extra}${target}`);
  }
  if (opt.tree > 0) {
    const src = join(config.path, 'tree');
    for (let i = 0; i < opt.tree; i++) {
      const folder = join(src, `folder-${i % 20}`);
      if (i < 20) await mkdir(folder, { recursive: true });
      // Deterministic, compressible-ish bytes: hex digests, like source text in size and entropy.
      const size = 512 + ((i * 7919) % 7680);
      let body = '';
      for (let k = 0; body.length < size; k++) body += createHash('sha256').update(`${i}:${k}`).digest('hex') + (k % 3 === 0 ? '\n' : ' ');
      await writeFile(join(folder, `file-${i}.txt`), body.slice(0, size));
    }
    const served = async () => {
      const text = (await srv.call('GET', '/metrics', { headers: { authorization: '' } })).body.toString();
      return [...text.matchAll(/^coffer_http_requests_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await served();
    const t = process.hrtime.bigint();
    // Not spawnSync: this process reads the server's output, which must keep flowing meanwhile.
    const put = promisify(execFile)(process.execPath, [BIN, 'put', '-r', src, '/bench-tree'], { env: { ...env, COFFER_NO_PROGRESS: '1' }, maxBuffer: 64 * 1024 * 1024 });
    await put.catch((err: { stderr?: string }) => {
      throw new Error(`put -r failed: ${err.stderr ?? String(err)}`);
    });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    const requests = (await served()) - before - 1;
    console.log(`coffer put -r, ${opt.tree} small files: ${s.toFixed(1)} s, ${(opt.tree / s).toFixed(0)} files/s, ${requests} requests`);

    const dest = join(config.path, 'restored');
    const before2 = await served();
    const t2 = process.hrtime.bigint();
    const get = promisify(execFile)(process.execPath, [BIN, 'get', '-r', '/bench-tree', dest], { env: { ...env, COFFER_NO_PROGRESS: '1' }, maxBuffer: 64 * 1024 * 1024 });
    await get.catch((err: { stderr?: string }) => {
      throw new Error(`get -r failed: ${err.stderr ?? String(err)}`);
    });
    const s2 = Number(process.hrtime.bigint() - t2) / 1e9;
    const requests2 = (await served()) - before2 - 1;
    for (let i = 0; i < opt.tree; i++) {
      const rel = join(`folder-${i % 20}`, `file-${i}.txt`);
      if (!(await readFile(join(src, rel))).equals(await readFile(join(dest, rel)))) throw new Error(`get -r: ${rel} differs from its source`);
    }
    console.log(`coffer get -r, ${opt.tree} small files: ${s2.toFixed(1)} s, ${(opt.tree / s2).toFixed(0)} files/s, ${requests2} requests (all byte-identical)`);
  }
} finally {
  await srv.cleanup();
  await config.remove();
}
