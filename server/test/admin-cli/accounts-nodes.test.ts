/**
 * coffer-admin users, quota, reset-password and nodes on a stopped embedded install: each does
 * its job, and bad input gets a clear message and a non-zero exit (2 for usage, 1 for a refusal),
 * changing nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Cluster, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { PASSWORD, startServerProcess, type ServerProcess } from '../fixtures/server-process.js';
import { admin, adminEnv, runAdmin } from './admin-harness.js';

describe('coffer-admin accounts and nodes', () => {
  let srv: ServerProcess | undefined;
  let cluster: LocalS3Cluster | undefined;
  afterAll(async () => {
    await srv?.cleanup();
    await cluster?.stopAll();
  });

  it('lists users, sets quotas and passwords, manages nodes, and refuses bad input', async () => {
    srv = await startServerProcess({ backend: 'pglite' });
    await srv.kill('SIGTERM');
    const env = adminEnv(srv);
    const user = srv.username;

    expect(await admin(['users'], env)).toMatch(new RegExp(`${user}\\tuser\\t0B\\t10G\\tactive`));
    expect(await admin(['quota', user, '2.5G'], env)).toContain(`${user}: quota 2.5G (${2.5 * 1024 ** 3} bytes)`);

    const badSize = await runAdmin(['quota', user, '10X'], env);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('"10X" is not a size');
    const nobody = await runAdmin(['quota', 'nobody-here', '1G'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user named "nobody-here"');
    const short = await runAdmin(['reset-password', user, '--password-stdin'], env, 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 8 characters');
    const unknown = await runAdmin(['frobnicate'], env);
    expect(unknown.code).toBe(2);

    const reset = await admin(['reset-password', user], env);
    const password = /new password for \S+: (\S+)/.exec(reset)?.[1];
    expect(password).toBeTruthy();
    expect(await admin(['users'], env)).toMatch(new RegExp(`${user}\\tuser\\t0B\\t2.5G\\tactive`));

    // Nodes: the three local ones; an S3 node added (checked with a test object), drained, retired.
    expect(await admin(['nodes', 'list'], env)).toMatch(/local-0\thot\tlocal\tactive/);
    cluster = await startS3Cluster({ count: 2 });
    const badName = await runAdmin(['nodes', 'add', 'Bad Name', cluster.nodes[0]!.url], env);
    expect(badName.code).toBe(2);
    const unreachable = await runAdmin(['nodes', 'add', 'gone', 'http://S3RVER:S3RVER@127.0.0.1:9/coffer'], env);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('did not take a test object');
    expect(await admin(['nodes', 'add', 'extra-1', cluster.nodes[0]!.url], env)).toContain('added hot node extra-1');
    const early = await runAdmin(['nodes', 'retire', 'extra-1'], env);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('not draining');
    expect(await admin(['nodes', 'drain', 'extra-1'], env)).toContain('extra-1 is draining');
    expect(await admin(['nodes', 'retire', 'extra-1'], env)).toContain('retired extra-1');
    const list = await admin(['nodes', 'list'], env);
    expect(list).toMatch(/extra-1\thot\ts3\tretired/);
    expect(list).not.toContain('S3RVER');
    // The README's `nodes add NAME URL --tier cold`: a cold-tier node; a tier that is not one is wrong usage.
    expect((await runAdmin(['nodes', 'add', 'cold-x', cluster.nodes[1]!.url, '--tier', 'warm'], env)).code).toBe(2);
    expect(await admin(['nodes', 'add', 'cold-1', cluster.nodes[1]!.url, '--tier', 'cold'], env)).toContain('added cold node cold-1');
    expect(await admin(['nodes', 'list'], env)).toMatch(/cold-1\tcold\ts3\tactive/);
    const noSuch = await runAdmin(['nodes', 'drain', 'nope'], env);
    expect(noSuch.code).toBe(1);
    expect(noSuch.stderr).toContain('no storage node nope');

    // The server starts on it all: the new password signs in, the old one does not.
    await srv.restart();
    const login = (pw: string) => srv!.call('POST', '/api/v1/auth/login', { json: { username: user, password: pw } });
    expect((await login(password!)).status).toBe(200);
    expect((await login(PASSWORD)).status).toBe(401);
  }, 600_000);
});
