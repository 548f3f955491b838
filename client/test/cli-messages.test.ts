/**
 * What the CLI says when things go wrong (issue 22), and its `--json` output, against a real
 * HTTPS server process: DNS and connection failures named plainly, plain HTTP and HTTPS crossed,
 * a revoked token (exit 4, "run `coffer login URL`"), server codes as sentences, conflicts
 * (exit 3); every `--json` document parsed with its `@coffer/protocol` shape.
 */
import { cp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliEntries, CliLinkCreated, CliList, CliLogin, CliStatus, CliTransfer, CliTrashed, LinkList, RevisionList, ShareList } from '@coffer/protocol';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { fingerprintOfPem, PASSWORD, runCli, usernameOf, type Run } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

let srv: ServerProcess;
let username: string;
const dir = useTempDir('coffer-cli-msg-');
let configDir: string;
const cli = (...args: string[]) => runCli(args, { configDir, cwd: dir() });
const loginTo = (url: string, configDir: string, extra: string[] = []) =>
  runCli(['login', url, '--username', username, '--password-stdin', ...extra], { configDir, input: PASSWORD });
const json = (r: Run) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
};

beforeAll(async () => {
  srv = await startServerProcess({ tls: true });
  username = await usernameOf(srv);
  configDir = join(dir(), 'config');
  const r = await loginTo(srv.url, configDir, ['--fingerprint', fingerprintOfPem(srv.ca!), '--json']);
  expect(CliLogin.parse(JSON.parse(r.stdout)).trust.kind).toBe('pinned');
}, 240_000);

afterAll(async () => {
  await srv?.cleanup();
});

describe('failures say what happened and what to do', () => {
  it('a host that does not resolve', async () => {
    const r = await loginTo('no-such-host.invalid:8443', join(dir(), 'x'), ['--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot find the server "no-such-host.invalid": the name does not resolve \(DNS\)/);
  });

  it('nothing listening', async () => {
    const r = await loginTo('127.0.0.1:1', join(dir(), 'x'), ['--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1: connection refused/);
  });

  it('plain HTTP to the HTTPS port, and HTTPS to a plain HTTP port', async () => {
    const port = new URL(srv.url).port;
    const plain = await loginTo(`http://127.0.0.1:${port}`, join(dir(), 'x'), ['--insecure-http']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(new RegExp(`speaks HTTPS, not plain HTTP: use https://127.0.0.1:${port}`));

    const http = createServer((_q, s) => s.end('hello'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const r = await loginTo(`127.0.0.1:${(http.address() as AddressInfo).port}`, join(dir(), 'x'), ['--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/does not speak HTTPS on this port/);
    } finally {
      http.close();
    }
  });

  it('a revoked token: exit 4 and "run `coffer login URL`"', async () => {
    const other = join(dir(), 'revoked');
    expect((await loginTo(srv.url, other, ['--fingerprint', fingerprintOfPem(srv.ca!)])).code).toBe(0);
    const copy = join(dir(), 'revoked-copy');
    await cp(other, copy, { recursive: true });
    expect((await runCli(['logout'], { configDir: other })).code).toBe(0);
    const r = await runCli(['ls'], { configDir: copy });
    expect(r.code).toBe(4);
    expect(r.stderr.trim()).toBe(`coffer ls: your sign-in is no longer valid (the token expired or was revoked): run \`coffer login ${srv.url}\``);
  });

  it('server error codes become sentences; conflicts exit 3', async () => {
    const mk = await cli('mkdir', '/no/such');
    expect(mk.code).toBe(1);
    expect(mk.stderr).toMatch(/a folder on the way does not exist \(mkdir -p makes it\)/);
    await writeFile(join(dir(), 'c.txt'), 'one');
    expect((await cli('put', 'c.txt', '/c.txt')).code).toBe(0);
    await writeFile(join(dir(), 'c.txt'), 'two');
    expect((await cli('put', 'c.txt', '/c.txt', '--overwrite')).code).toBe(0);
    const stale = await cli('put', 'c.txt', '/c.txt', '--base-rev', '1');
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/changed on the server meanwhile/);
  });
});

describe('--json', () => {
  it('every command that prints data prints its @coffer/protocol shape', async () => {
    expect(CliEntries.parse(json(await cli('mkdir', '-p', '/j/k', '--json'))).entries[0]!.path).toBe('/j/k');
    await writeFile(join(dir(), 'j.txt'), 'json please');
    const put = CliTransfer.parse(json(await cli('put', 'j.txt', '/j/', '--json')));
    expect(put.files).toMatchObject([{ remote: '/j/j.txt', rev: 1, size: 11 }]);
    expect(CliList.parse(json(await cli('ls', '/j', '--json'))).entries.map((e) => e.name).sort()).toEqual(['j.txt', 'k']);
    const got = CliTransfer.parse(json(await cli('get', '/j/j.txt', 'back.txt', '--json')));
    expect(got.files[0]).toMatchObject({ remote: '/j/j.txt', rev: 1, upToDate: false });
    expect(RevisionList.parse(json(await cli('revs', '/j/j.txt', '--json'))).revisions).toHaveLength(1);
    expect(CliEntries.parse(json(await cli('mv', '/j/j.txt', '/j/moved.txt', '--json'))).entries[0]!.path).toBe('/j/moved.txt');
    const status = CliStatus.parse(json(await cli('status', '--json')));
    expect(status.me.username).toBe(username);
    expect(status.trust.kind).toBe('pinned');
    expect(CliLinkCreated.parse(json(await cli('link', 'create', '/j/moved.txt', '--json'))).url).toMatch(/\/s\//);
    expect(LinkList.parse(json(await cli('link', 'list', '--json'))).links).toHaveLength(1);
    expect(ShareList.parse(json(await cli('shares', 'list', '--json'))).shares).toEqual([]);
    expect(CliTrashed.parse(json(await cli('rm', '/j/moved.txt', '--json'))).trashed).toEqual(['/j/moved.txt']);
  }, 120_000);
});
