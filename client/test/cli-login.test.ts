/**
 * `coffer login/logout/status` against a real server process over HTTPS with its self-signed
 * certificate: trust on first use by fingerprint, refusal of a wrong or changed certificate,
 * the config file's mode, and the token's revocation on logout.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { fingerprintOfPem, impostor, PASSWORD, ROOT, runCli, usernameOf } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

let srv: ServerProcess;
const dir = useTempDir('coffer-cli-login-');
let username: string;
let fingerprint: string;

beforeAll(async () => {
  srv = await startServerProcess({ tls: true });
  username = await usernameOf(srv);
  fingerprint = fingerprintOfPem(srv.ca!);
}, 90_000);

afterAll(async () => {
  await srv?.cleanup();
});

const cfg = (name: string) => join(dir(), name);
const login = (configDir: string, extra: string[]) =>
  runCli(['login', srv.url, '--username', username, '--password-stdin', ...extra], { configDir, input: `${PASSWORD}\n` });

describe('coffer login', () => {
  it('refuses a wrong fingerprint and saves nothing', async () => {
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    const r = await login(cfg('wrong'), ['--fingerprint', wrong]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(fingerprint);
    expect(r.stderr).toMatch(/refusing/);
    await expect(stat(join(cfg('wrong'), 'config.json'))).rejects.toThrow();
  });

  it('needs --fingerprint or --yes without a terminal, and https unless --insecure-http', async () => {
    const r = await login(cfg('none'), []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(fingerprint); // shown so the user can compare it
    const http = await runCli(['login', srv.url.replace('https:', 'http:'), '--username', username, '--password-stdin'], { configDir: cfg('none'), input: PASSWORD });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/--insecure-http/);
  });

  it('reports a wrong password plainly (exit 4: sign-in refused)', async () => {
    const r = await runCli(['login', srv.url, '--username', username, '--password-stdin', '--yes'], { configDir: cfg('badpw'), input: 'not it' });
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^coffer login: .+/);
    await expect(stat(join(cfg('badpw'), 'config.json'))).rejects.toThrow();
  });

  it('trusts the right fingerprint (any case, no colons), saves a 0600 config, and works', async () => {
    const given = fingerprint.replace(/:/g, '').toLowerCase();
    const r = await login(cfg('ok'), ['--fingerprint', given, '--device-name', 'test laptop']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const file = join(cfg('ok'), 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ url: srv.url, fingerprint, username });
    expect(saved.token).toMatch(/.{20,}/);
    expect(saved.deviceId).toBeTruthy();

    const s = await runCli(['status'], { configDir: cfg('ok') });
    expect(s.code).toBe(0);
    expect(s.stdout).toContain(username);
    expect(s.stdout).toContain('test laptop (cli)');
    expect(s.stdout).toContain(fingerprint);
  });

  it('fixes a config file that others can read before using it', async () => {
    const file = join(cfg('ok'), 'config.json');
    await chmod(file, 0o644);
    const r = await runCli(['ls'], { configDir: cfg('ok') });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/readable by other users/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a server whose certificate changed, before sending the token', async () => {
    const fake = await impostor();
    try {
      const saved = JSON.parse(await readFile(join(cfg('ok'), 'config.json'), 'utf8'));
      // The same saved login, but the server now presents another certificate.
      const configDir = cfg('changed');
      await mkdir(configDir, { recursive: true });
      await writeFile(join(configDir, 'config.json'), JSON.stringify({ ...saved, url: fake.url }), { mode: 0o600 });
      const r = await runCli(['ls'], { configDir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/CHANGED/);
      expect(fake.requests()).toBe(0);
      // A new login to it without the right fingerprint is refused too.
      const again = await runCli(['login', fake.url, '--username', username, '--password-stdin'], { configDir, input: PASSWORD });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/CHANGED/);
      expect(fake.requests()).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('trusts a CA file instead of a fingerprint', async () => {
    const caFile = join(dir(), 'ca.pem');
    await writeFile(caFile, srv.ca!);
    const r = await login(cfg('ca'), ['--ca', caFile]);
    expect(r.code).toBe(0);
    const saved = JSON.parse(await readFile(join(cfg('ca'), 'config.json'), 'utf8'));
    expect(saved.ca).toBe(srv.ca);
    expect(saved.fingerprint).toBeUndefined();
    const ls = await runCli(['ls', '-l'], { configDir: cfg('ca') });
    expect(ls.code).toBe(0);
    // Any other CA does not verify the server.
    const fake = await impostor();
    try {
      await writeFile(join(cfg('ca'), 'config.json'), JSON.stringify({ ...saved, url: fake.url }), { mode: 0o600 });
      const bad = await runCli(['ls'], { configDir: cfg('ca') });
      expect(bad.code).toBe(1);
      expect(fake.requests()).toBe(0);
    } finally {
      await fake.close();
    }
  });

  it('the installed launcher runs from any directory', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'client/bin/coffer.mjs'), '--help'], { cwd: dir() });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: coffer COMMAND/);
  });

  it('logs out: the token is revoked on the server and the config removed', async () => {
    const file = join(cfg('ok'), 'config.json');
    const token = JSON.parse(await readFile(file, 'utf8')).token as string;
    const r = await runCli(['logout'], { configDir: cfg('ok') });
    expect(r.code).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    expect((await srv.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const after = await runCli(['ls'], { configDir: cfg('ok') });
    expect(after.code).toBe(4);
    expect(after.stderr).toMatch(/not logged in/);
  });
});

describe('coffer login with two-factor sign-in', () => {
  it('asks for the second step: without a code (no terminal) it says so; with --code it saves a device token', async () => {
    // Start early in a 30-second step, so the steps the codes below name do not move under the test.
    const left = 30_000 - (Date.now() % 30_000);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
    const begun = (await srv.call('POST', '/api/v1/me/2fa/totp', { headers: srv.auth })).json<{ secret: string }>();
    const totp = new TOTP({ secret: Secret.fromBase32(begun.secret), algorithm: 'SHA1', digits: 6, period: 30 });
    // Codes of the step before now and of now: both inside the server's window, each spent once.
    const confirm = await srv.call('POST', '/api/v1/me/2fa/totp/confirm', { headers: srv.auth, json: { code: totp.generate({ timestamp: Date.now() - 30_000 }) } });
    expect(confirm.status).toBe(200);

    const none = await login(cfg('2fa-none'), ['--fingerprint', fingerprint]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--code/);
    await expect(stat(join(cfg('2fa-none'), 'config.json'))).rejects.toThrow();

    const wrong = await login(cfg('2fa-wrong'), ['--fingerprint', fingerprint, '--code', totp.generate({ timestamp: Date.now() - 30_000 })]);
    expect(wrong.code).toBe(4); // sign-in refused (exit 4): spent by the confirmation: a code works once

    const ok = await login(cfg('2fa'), ['--fingerprint', fingerprint, '--code', totp.generate()]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const saved = JSON.parse(await readFile(join(cfg('2fa'), 'config.json'), 'utf8'));
    expect((await srv.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${saved.token}` } })).json<{ tokenKind: string }>().tokenKind).toBe('device');
  }, 60_000);
});
