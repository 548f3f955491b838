/**
 * The CLI on its own (issue 22): `npm run pack:cli` makes a tarball that installs with npm from
 * the file alone (no registry, no dependencies, no C toolchain), and the installed `coffer` runs:
 * --version, help, a refusal without a login, then a sign-in and real commands against a server (put and get among them).
 */
import { execFileSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { fingerprintOfPem, PASSWORD, ROOT, runCli, usernameOf } from './cli-harness.js';

const dir = useTempDir('coffer-cli-package-');
let srv: ServerProcess;
beforeAll(async () => {
  srv = await startServerProcess({ tls: true });
}, 240_000);
afterAll(async () => {
  await srv?.cleanup();
});

describe('coffer-cli, packed and installed', () => {
  it('installs from its tarball alone and signs in, makes a folder and lists it', async () => {
    const out = join(dir(), 'pkg');
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/pack-cli.ts'), out], { cwd: ROOT, stdio: 'pipe' });
    const [tgz] = (await readdir(out)).filter((f) => f.endsWith('.tgz'));
    expect(tgz).toMatch(/^coffer-cli-\d+\.\d+\.\d+\.tgz$/);
    const prefix = join(dir(), 'prefix');
    execFileSync('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(out, tgz!)], { stdio: 'pipe' });
    // Nothing came along: the bundle is the whole program.
    expect(await readdir(join(prefix, 'lib', 'node_modules'))).toEqual(['coffer-cli']);
    expect(await readdir(join(prefix, 'lib', 'node_modules', 'coffer-cli'))).not.toContain('node_modules');

    const bin = join(prefix, 'bin', 'coffer');
    const configDir = join(dir(), 'config');
    const coffer = (args: string[], input?: string) => runCli(args, { configDir, bin, cwd: dir(), env: { COFFER_NATIVE: '0' }, ...(input ? { input } : {}) });
    const version = await coffer(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^coffer \d+\.\d+\.\d+ \(node v\d+/);
    const help = await coffer(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('login');
    const refused = await coffer(['ls']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/coffer login/);

    const login = await coffer(['login', srv.url, '--username', await usernameOf(srv), '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!)], PASSWORD);
    expect(login.code, login.stderr).toBe(0);
    expect((await coffer(['mkdir', '/From the package'])).code).toBe(0);
    const ls = await coffer(['ls', '/']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain('From the package');
    // put and get start again with their V8 flags and malloc on huge pages (bin/relaunch.mjs, packed beside the bin).
    await writeFile(join(dir(), 'note.txt'), 'from the packed command\n');
    const put = await coffer(['put', join(dir(), 'note.txt'), '/From the package/note.txt']);
    expect(put.code, put.stderr).toBe(0);
    const get = await coffer(['get', '/From the package/note.txt', join(dir(), 'back.txt')]);
    expect(get.code, get.stderr).toBe(0);
    expect(await readFile(join(dir(), 'back.txt'), 'utf8')).toBe('from the packed command\n');
  }, 240_000);
});
