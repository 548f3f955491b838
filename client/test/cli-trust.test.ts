/**
 * Trust (issue 22): a certificate that chains to a CA (given with --ca, or the system's) is
 * validated, not pinned, so a renewal from the same CA goes on working; a self-signed one is
 * pinned on first use and a swap is refused before anything is sent; a pinned certificate
 * replaced by one that validates is accepted with a notice; `coffer trust` shows and resets pins.
 * The server runs plain HTTP behind a TLS proxy whose certificate the test swaps.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliPins, CliStatus } from '@coffer/protocol';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { fingerprintOfPem, PASSWORD, runCli, usernameOf } from './cli-harness.js';
import { selfSigned, testCa, tlsProxy, type TlsProxy } from './tls-fixtures.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

let srv: ServerProcess;
let username: string;
const dir = useTempDir('coffer-cli-trust-');
const ca = testCa();
let caFile: string;

beforeAll(async () => {
  srv = await startServerProcess();
  username = await usernameOf(srv);
  caFile = join(dir(), 'ca.pem');
  await writeFile(caFile, ca.cert);
}, 90_000);

afterAll(async () => {
  await srv?.cleanup();
});

async function withProxy(first: { key: string; cert: string }, body: (p: TlsProxy) => Promise<void>): Promise<void> {
  const proxy = await tlsProxy(new URL(srv.url), first);
  try {
    await body(proxy);
  } finally {
    await proxy.close();
  }
}

const savedLogin = async (configDir: string) => JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8'));

describe('coffer trust', () => {
  it('a certificate from the CA given with --ca is validated, not pinned: a new one from the same CA works', async () => {
    await withProxy(ca.issue(), async (proxy) => {
      const configDir = join(dir(), 'ca');
      // host:port means https.
      const r = await runCli(['login', `127.0.0.1:${proxy.port}`, '--ca', caFile, '--username', username, '--password-stdin'], { configDir, input: PASSWORD });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const saved = await savedLogin(configDir);
      expect(saved.fingerprint).toBeUndefined();
      expect(saved.ca).toBe(ca.cert);

      proxy.swap(ca.issue());
      const ls = await runCli(['ls'], { configDir });
      expect(ls.stderr).toBe('');
      expect(ls.code).toBe(0);
      const status = await runCli(['status', '--json'], { configDir });
      expect(CliStatus.parse(JSON.parse(status.stdout)).trust).toEqual({ kind: 'ca' });

      // A self-signed certificate is not vouched for by the CA, and nothing was pinned: refused.
      proxy.swap(selfSigned());
      const sent = proxy.bytesFromClients();
      const refused = await runCli(['ls'], { configDir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/not trusted/);
      expect(proxy.bytesFromClients()).toBe(sent);
    });
  }, 60_000);

  it('a self-signed certificate is pinned on first use, and a swap to another is refused before anything is sent', async () => {
    const first = selfSigned();
    await withProxy(first, async (proxy) => {
      const configDir = join(dir(), 'pinned');
      const r = await runCli(['login', proxy.url, '--yes', '--username', username, '--password-stdin'], { configDir, input: PASSWORD });
      expect(r.code).toBe(0);
      expect((await savedLogin(configDir)).fingerprint).toBe(fingerprintOfPem(first.cert));
      expect((await runCli(['ls'], { configDir })).code).toBe(0);

      proxy.swap(selfSigned());
      const sent = proxy.bytesFromClients();
      const refused = await runCli(['ls'], { configDir });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/CHANGED/);
      expect(proxy.bytesFromClients()).toBe(sent);
    });
  }, 60_000);

  it('a pinned certificate replaced by one that validates is accepted with a notice, and the pin goes', async () => {
    const first = selfSigned();
    await withProxy(first, async (proxy) => {
      const configDir = join(dir(), 'renewed');
      const r = await runCli(['login', proxy.url, '--yes', '--username', username, '--password-stdin'], { configDir, input: PASSWORD });
      expect(r.code).toBe(0);
      const shown = await runCli(['trust', '--json'], { configDir });
      expect(CliPins.parse(JSON.parse(shown.stdout)).pins).toEqual([{ url: proxy.url, fingerprint: fingerprintOfPem(first.cert) }]);

      // The operator puts a certificate from a CA this computer trusts in front (NODE_EXTRA_CA_CERTS
      // stands in for the system's store).
      proxy.swap(ca.issue());
      const env = { NODE_EXTRA_CA_CERTS: caFile };
      const ls = await runCli(['ls'], { configDir, env });
      expect(ls.code).toBe(0);
      expect(ls.stderr).toMatch(/notice: .* now presents a certificate that validates/);
      expect((await savedLogin(configDir)).fingerprint).toBeUndefined();
      const again = await runCli(['ls'], { configDir, env });
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
    });
  }, 60_000);

  it('coffer trust reset forgets a pin', async () => {
    await withProxy(selfSigned(), async (proxy) => {
      const configDir = join(dir(), 'reset');
      expect((await runCli(['login', proxy.url, '--yes', '--username', username, '--password-stdin'], { configDir, input: PASSWORD })).code).toBe(0);
      const listed = await runCli(['trust'], { configDir });
      expect(listed.stdout).toContain(proxy.url);
      const reset = await runCli(['trust', 'reset', proxy.url], { configDir });
      expect(reset.code).toBe(0);
      expect(reset.stdout).toMatch(/Forgot the certificate pinned/);
      expect((await savedLogin(configDir)).fingerprint).toBeUndefined();
      // Nothing pinned and no CA vouches for it: refused, with what to do.
      const ls = await runCli(['ls'], { configDir });
      expect(ls.code).toBe(1);
      expect(ls.stderr).toMatch(/coffer login URL/);
    });
  }, 60_000);
});
