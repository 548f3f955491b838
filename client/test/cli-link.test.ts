/**
 * `coffer link create|list|disable|enable|delete` as a child process against a real HTTPS server
 * process: the printed URL serves the file without any login, a password and a download limit
 * reach the server, a drop link takes uploads, disable and delete take effect, mistakes are
 * usage errors (exit 2) and server refusals one line (exit 1).
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { expiryOf } from '../src/cli/commands/links.js';
import { fingerprintOfPem, PASSWORD, runCli, usernameOf } from './cli-harness.js';

let srv: ServerProcess;
const dir = useTempDir('coffer-cli-link-');
let configDir: string;
const cli = (args: string[], input?: string) => runCli(args, { configDir, cwd: dir(), input });
const tokenOf = (url: string) => url.trim().split('/s/')[1]!;

beforeAll(async () => {
  srv = await startServerProcess({ tls: true });
  configDir = join(dir(), 'config');
  const r = await runCli(['login', srv.url, '--username', await usernameOf(srv), '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!)], { configDir, input: PASSWORD });
  if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
  await writeFile(join(dir(), 'hello.txt'), 'hello link\n');
  expect((await cli(['put', join(dir(), 'hello.txt'), '/hello.txt'])).code).toBe(0);
  expect((await cli(['mkdir', '/Drop'])).code).toBe(0);
}, 90_000);

afterAll(async () => {
  await srv?.cleanup();
});

describe('coffer link', () => {
  it('create prints a URL that serves the file; list shows it; disable, enable and delete act on it', async () => {
    const made = await cli(['link', 'create', '/hello.txt', '--max-downloads', '5', '--expires', '7d']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout.trim()).toMatch(new RegExp(`^${srv.url}/s/[A-Za-z0-9_-]{43}$`));
    const token = tokenOf(made.stdout);
    const got = await srv.call('GET', `/s/${token}/download`, { headers: { authorization: '' } });
    expect(got.status).toBe(200);
    expect(got.body.toString()).toBe('hello link\n');

    const listed = await cli(['link', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/view\s+active\s+\/hello\.txt\s+expires .*, 1\/5 downloads/);
    const id = listed.stdout.trim().split(/\s+/)[0]!;

    expect((await cli(['link', 'disable', id])).stdout).toContain('Disabled the view link to /hello.txt');
    expect((await srv.call('GET', `/s/${token}/download`)).status).toBe(410);
    expect((await cli(['link', 'list'])).stdout).toMatch(/view\s+disabled/);
    expect((await cli(['link', 'enable', id])).code).toBe(0);
    expect((await srv.call('GET', `/s/${token}/download`)).status).toBe(200);
    expect((await cli(['link', 'delete', id])).code).toBe(0);
    expect((await srv.call('GET', `/s/${token}/download`)).status).toBe(404);
  }, 60_000);

  it('a password from stdin protects the link; --drop makes a file drop', async () => {
    const made = await cli(['link', 'create', '/hello.txt', '--password-stdin'], 'sesame\n');
    expect(made.code, made.stderr).toBe(0);
    const token = tokenOf(made.stdout);
    expect((await srv.call('GET', `/s/${token}/download`)).status).toBe(404);
    expect((await srv.call('GET', `/s/${token}/download`, { headers: { 'x-coffer-link-password': 'sesame' } })).status).toBe(200);

    const drop = await cli(['link', 'create', '/Drop', '--drop']);
    expect(drop.code, drop.stderr).toBe(0);
    const up = await srv.call('POST', `/s/${tokenOf(drop.stdout)}/upload?name=from-a-stranger.txt`, { body: 'hi' });
    expect(up.status).toBe(201);
    expect((await cli(['ls', '/Drop'])).stdout).toContain('from-a-stranger.txt');
    expect((await cli(['link', 'list'])).stdout).toMatch(/drop\s+active\s+\/Drop/);
  }, 60_000);

  it('usage mistakes exit 2; refusals exit 1 with the server’s message (3 for a conflict)', async () => {
    expect((await cli(['link'])).code).toBe(2);
    expect((await cli(['link', 'create'])).code).toBe(2);
    expect((await cli(['link', 'create', '/hello.txt', '--max-downloads', '0'])).code).toBe(2);
    expect((await cli(['link', 'create', '/hello.txt', '--expires', 'soon'])).code).toBe(2);
    const notFolder = await cli(['link', 'create', '/hello.txt', '--drop']);
    expect(notFolder.code).toBe(3); // the server's 409 not_a_folder: a conflict (exit codes, README)
    expect(notFolder.stderr.trim()).toMatch(/^coffer link: .*folder/);
    const missing = await cli(['link', 'disable', '00000000-0000-0000-0000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such link/);
  }, 60_000);

  it('--expires takes durations and ISO dates', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(expiryOf('7d', now)).toBe('2026-01-08T00:00:00.000Z');
    expect(expiryOf('12h', now)).toBe('2026-01-01T12:00:00.000Z');
    expect(expiryOf('2026-03-01', now)).toBe('2026-03-01T00:00:00.000Z');
  });
});
