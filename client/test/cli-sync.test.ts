/**
 * `coffer sync` as a command (issue 22): a missing DIR is refused unless --create, --status shows
 * what the agents do (running or not, last sync, last error), --install writes a systemd user
 * unit (Linux) or a launchd agent (macOS) into a temp HOME, and signals end it with 130/143.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliSyncInstall, CliSyncStatusList } from '@coffer/protocol';
import { installAgent } from '../src/cli/sync-install.js';
import { ROOT, runCli, useSignedInCli } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const dir = useTempDir('coffer-cli-sync-');
const cliEnv = useSignedInCli(dir);
const cli = (args: string[], env?: NodeJS.ProcessEnv) => runCli(args, { configDir: cliEnv.configDir, cwd: dir(), env });

/** A running `coffer sync`, until it printed `until`; then the test signals it. */
function startAgent(local: string, until: RegExp): Promise<{ stop(signal: NodeJS.Signals): Promise<number | null>; stderr(): string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}client/bin/coffer.ts`, 'sync', local, '/signals', '--create'], {
    env: { ...process.env, COFFER_CONFIG_DIR: cliEnv.configDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      if (until.test(err)) resolve({ stop: (s) => (child.kill(s), exited), stderr: () => err });
    });
    void exited.then((code) => reject(new Error(`the agent exited (${code}) before ${until}: ${err}`)));
  });
}

describe('coffer sync', () => {
  it('refuses a folder that does not exist unless --create', async () => {
    const missing = join(dir(), 'typo');
    const r = await cli(['sync', missing, '/typo', '--once']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/typo does not exist; add --create/);
    await expect(stat(missing)).rejects.toThrow();
    const made = await cli(['sync', missing, '/typo', '--once', '--create']);
    expect(made.code, made.stderr).toBe(0);
    expect((await stat(missing)).isDirectory()).toBe(true);
  }, 60_000);

  it('--status shows each agent: running or not, last sync, last error', async () => {
    const before = CliSyncStatusList.parse(JSON.parse((await cli(['sync', '--status', '--json'])).stdout));
    const once = before.agents.find((a) => a.root === join(dir(), 'typo'))!;
    expect(once).toMatchObject({ running: false, remote: '/typo', lastError: null });
    expect(Date.parse(once.lastSyncAt!)).toBeGreaterThan(Date.now() - 120_000);

    const agent = await startAgent(join(dir(), 'live'), /idle/);
    try {
      const during = CliSyncStatusList.parse(JSON.parse((await cli(['sync', '--status', '--json'])).stdout));
      expect(during.agents.find((a) => a.root === join(dir(), 'live'))).toMatchObject({ running: true, state: 'idle' });
      const text = await cli(['sync', '--status']);
      expect(text.stdout).toMatch(/live <-> \/signals: running \(pid \d+\)/);
    } finally {
      expect(await agent.stop('SIGTERM')).toBe(143);
    }
    const after = CliSyncStatusList.parse(JSON.parse((await cli(['sync', '--status', '--json'])).stdout));
    expect(after.agents.find((a) => a.root === join(dir(), 'live'))!.running).toBe(false);
  }, 90_000);

  it('SIGINT exits 130, SIGTERM 143', async () => {
    const a = await startAgent(join(dir(), 'int'), /idle/);
    expect(await a.stop('SIGINT')).toBe(130);
    const b = await startAgent(join(dir(), 'term'), /syncing/);
    expect(await b.stop('SIGTERM')).toBe(143);
  }, 90_000);

  it('--install writes a systemd user unit that runs this coffer (Linux), or a launchd agent (macOS)', async () => {
    const xdg = join(dir(), 'xdg');
    const local = join(dir(), 'Docs');
    const r = await cli(['sync', local, '/Docs', '--create', '--install', '--json'], { XDG_CONFIG_HOME: xdg, HOME: join(dir(), 'home') });
    expect(r.code, r.stderr).toBe(0);
    const done = CliSyncInstall.parse(JSON.parse(r.stdout));
    expect(done).toMatchObject({ kind: 'systemd', file: join(xdg, 'systemd/user/coffer-sync-Docs.service') });
    expect(done.start).toMatch(/systemctl --user enable --now coffer-sync-Docs.service/);
    const unit = await readFile(done.file, 'utf8');
    expect(unit).toContain(`ExecStart="${process.execPath}" "${join(ROOT, 'client/bin/coffer.mjs')}" "sync" "${local}" "/Docs" "--quiet"`);
    expect(unit).toContain(`Environment="COFFER_CONFIG_DIR=${cliEnv.configDir}"`);
    expect(unit).toMatch(/WantedBy=default.target/);

    const home = join(dir(), 'mac');
    const mac = await installAgent(local, '/Docs', 'darwin', { HOME: home });
    expect(mac.file).toBe(join(home, 'Library/LaunchAgents/org.coffer.coffer-sync-Docs.plist'));
    const plist = await readFile(mac.file, 'utf8');
    expect(plist).toContain(`<string>${local}</string>`);
    expect(plist).toMatch(/<key>RunAtLoad<\/key><true\/>/);
  }, 60_000);
});
