/**
 * `coffer share` and `coffer shares list|accept|decline|revoke|role` as child processes against a
 * real HTTPS server process: two users, one shares, the other accepts under a name of their own,
 * sees the files through the mount, the role changes, the share is revoked; usage errors exit 2.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { fingerprintOfPem, PASSWORD, runCli, usernameOf } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

let srv: ServerProcess;
const dir = useTempDir('coffer-cli-shares-');
let bob: string;
const as = (who: 'ann' | 'bob') => (...args: string[]) => runCli(args, { configDir: join(dir(), who), cwd: dir() });
const ann = as('ann');
const bobCli = as('bob');

beforeAll(async () => {
  srv = await startServerProcess({ tls: true, admin: true });
  bob = `bob_${Date.now().toString(36)}`;
  const made = await srv.call('POST', '/api/v1/admin/users', { headers: srv.adminAuth, json: { username: bob, password: PASSWORD, mustChangePassword: false } });
  if (made.status !== 201) throw new Error(`user: ${made.status}`);
  for (const [who, name] of [['ann', await usernameOf(srv)], ['bob', bob]] as const) {
    const r = await runCli(['login', srv.url, '--username', name, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!)], { configDir: join(dir(), who), input: PASSWORD });
    if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
  }
}, 90_000);

afterAll(async () => {
  await srv?.cleanup();
});

describe('coffer share / shares', () => {
  it('share, list, accept under a name, role, revoke', async () => {
    expect((await ann('mkdir', '/Family')).code).toBe(0);
    expect((await srv.call('POST', '/api/v1/upload?uploadType=media&path=/Family/a.txt', { body: 'family' })).status).toBe(201);
    const shared = await ann('share', '/Family', '--user', bob, '--role', 'editor');
    expect(shared.code, shared.stderr).toBe(0);
    const id = /\(share ([0-9a-f-]{36})\)/.exec(shared.stdout)![1]!;
    expect((await ann('shares', 'list', '--outgoing')).stdout).toContain(id);
    const listed = await bobCli('shares', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+pending\\s+editor`));
    const accepted = await bobCli('shares', 'accept', id, '--name', 'Ann family');
    expect(accepted.stdout.trim()).toBe('Accepted: Family is at /Ann family');
    expect((await bobCli('ls', '/Ann family')).stdout.trim()).toBe('a.txt');
    expect((await ann('shares', 'role', id, 'viewer')).stdout.trim()).toBe(`${bob} is now viewer`);
    const refused = await bobCli('mkdir', '/Ann family/sub');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/view-only/);
    expect((await ann('shares', 'revoke', id)).code).toBe(0);
    expect((await bobCli('ls', '/')).stdout.trim()).toBe('');
  }, 60_000);

  it('usage errors exit 2', async () => {
    expect((await ann('share', '/Family')).code).toBe(2);
    expect((await ann('share', '/Family', '--user', 'x', '--group', 'y')).code).toBe(2);
    expect((await ann('share', '/Family', '--user', 'x', '--role', 'owner')).code).toBe(2);
    expect((await ann('shares', 'frobnicate')).code).toBe(2);
    const missing = await ann('share', '/Family', '--user', 'nobody_at_all');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no user named nobody_at_all/);
  }, 60_000);
});
