/**
 * Folders and progress (issue 22): `put -r` / `get -r` round trips, a second run sending nothing,
 * a folder without -r refused; on a terminal (a pseudo-terminal from util-linux `script`) the
 * progress line shows a rate close to the real throughput and a time left, and none when piped.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliTransfer } from '@coffer/protocol';
import { ROOT, runCli, useSignedInCli } from './cli-harness.js';
import { throttle } from './throttle.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const dir = useTempDir('coffer-cli-tree-');
const cliEnv = useSignedInCli(dir);
const MiB = 1024 * 1024;
const cli = (...args: string[]) => runCli(args, { configDir: cliEnv.configDir, cwd: dir() });

describe('put -r and get -r', () => {
  it('round-trip a folder; a second put -r sends nothing; a folder needs -r', async () => {
    const tree = { 'a.txt': 'alpha', 'sub/b.bin': randomBytes(200_000), 'sub/deeper/c.txt': 'gamma', 'empty/.keep': '' };
    for (const [rel, bytes] of Object.entries(tree)) {
      await mkdir(join(dir(), 'up', rel, '..'), { recursive: true });
      await writeFile(join(dir(), 'up', rel), bytes);
    }
    const no = await cli('put', 'up', '/');
    expect(no.code).toBe(2);
    expect(no.stderr).toMatch(/is a folder: add -r/);

    const first = CliTransfer.parse(JSON.parse((await cli('put', '-r', 'up', '/Tree', '--json')).stdout));
    expect(first.files.map((f) => f.remote).sort()).toEqual(['/Tree/a.txt', '/Tree/empty/.keep', '/Tree/sub/b.bin', '/Tree/sub/deeper/c.txt']);
    const again = CliTransfer.parse(JSON.parse((await cli('put', '-r', 'up', '/Tree', '--json')).stdout));
    expect(again.files.filter((f) => !f.upToDate || f.bytesSent !== 0)).toEqual([]);

    const got = await cli('get', '-r', '/Tree', 'down');
    expect(got.code, got.stderr).toBe(0);
    for (const [rel, bytes] of Object.entries(tree)) expect(Buffer.compare(await readFile(join(dir(), 'down', rel)), Buffer.from(bytes))).toBe(0);
    expect((await cli('get', '/Tree', 'x')).code).toBe(2);
  }, 120_000);
});

/** Run a shell command on a pseudo-terminal (util-linux `script`): what the terminal showed, and the exit status. */
function onTerminal(command: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: dir(), env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

describe('progress', () => {
  it('on a terminal: the current rate within 20% of the real throughput, and the time left; none when piped', async () => {
    const RATE = 3 * MiB;
    const gate = await throttle(Number(new URL(cliEnv.srv.url).port), RATE);
    try {
      // The same login, through the throttled pipe (TLS passes through it untouched).
      const saved = JSON.parse(await readFile(join(cliEnv.configDir, 'config.json'), 'utf8'));
      const slowConfig = join(dir(), 'slow-config');
      await mkdir(slowConfig, { recursive: true });
      await writeFile(join(slowConfig, 'config.json'), JSON.stringify({ ...saved, url: `https://127.0.0.1:${gate.port}` }), { mode: 0o600 });
      await writeFile(join(dir(), 'big.bin'), randomBytes(24 * MiB));
      const command = [process.execPath, '--import', import.meta.resolve('tsx'), `${ROOT}client/bin/coffer.ts`, 'put', 'big.bin', '/big.bin'].map((a) => `'${a}'`).join(' ');
      const env: NodeJS.ProcessEnv = { ...process.env, COFFER_CONFIG_DIR: slowConfig, COLUMNS: '200' };
      delete env.NO_COLOR;
      // Not spawnSync: the throttle runs in this process and must keep forwarding meanwhile.
      const r = await onTerminal(command, env);
      expect(r.status, r.stdout.slice(-1500)).toBe(0);
      // The real throughput: the uplink's rate while the middle of the file went through.
      const up = gate.uplink();
      const total = up.at(-1)![1];
      const from = up.find(([, b]) => b >= 0.3 * total)!;
      const to = up.find(([, b]) => b >= 0.9 * total)!;
      const real = (to[1] - from[1]) / ((to[0] - from[0]) / 1000);
      const shown = [...r.stdout.matchAll(/uploading \[[#-]+\]\s+(\d+)% [^\r]*? ([\d.]+) (KiB|MiB)\/s, (\S+) left/g)].map((m) => ({
        pct: Number(m[1]),
        rate: Number(m[2]) * (m[3] === 'MiB' ? MiB : 1024),
        left: m[4]!,
      }));
      // Mid-transfer figures (the moving window has filled, the end not reached).
      const mid = shown.filter((s) => s.pct >= 30 && s.pct <= 90);
      expect(mid.length, r.stdout.slice(-2000)).toBeGreaterThan(3);
      const median = mid.map((s) => s.rate).sort((a, b) => a - b)[Math.floor(mid.length / 2)]!;
      expect(Math.abs(median - real) / real, `shown ${median}, real ${real}`).toBeLessThan(0.2);
      expect(mid.every((s) => /^\d+(s|m\d\ds)$/.test(s.left))).toBe(true);

      // Piped: no progress line at all.
      const piped = await runCli(['put', 'big.bin', '/big2.bin'], { configDir: cliEnv.configDir, cwd: dir() });
      expect(piped.code).toBe(0);
      expect(piped.stderr).toBe('');
    } finally {
      await gate.close();
    }
  }, 180_000);
});
