/** `npm start` on embedded defaults: a real server process, real HTTPS, a fresh data directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';

function get(url: string): Promise<{ status: number; body: string; cert: X509Certificate }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      const cert = new X509Certificate((res.socket as import('node:tls').TLSSocket).getPeerCertificate().raw);
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, cert }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('boot on embedded defaults', () => {
  const dir = useTempDir('coffer-boot-');
  let proc: ChildProcess;
  let out = '';
  let url = '';

  beforeAll(async () => {
    proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      env: { ...process.env, COFFER_DATA_DIR: dir(), COFFER_PORT: '0', COFFER_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stderr!.on('data', (d) => (out += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 90_000);
      proc.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (https:\/\/[^\s"]+)/.exec(out);
        if (m && out.includes('fingerprint')) {
          clearTimeout(timer);
          url = m[1]!;
          resolve();
        }
      });
    });
  }, 100_000);

  afterAll(async () => {
    proc?.kill('SIGKILL');
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await get(`${url}/no/such/thing`);
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('not_found');
  });

  it('serves HTTPS with the self-signed certificate whose fingerprint it printed', async () => {
    const res = await get(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(out).toContain(`fingerprint: ${res.cert.fingerprint256}`);
    // ECDSA P-256 (tls-self-signed.ts): a smaller certificate and signature on every handshake; it signed itself.
    expect(res.cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(res.cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(res.cert.verify(res.cert.publicKey)).toBe(true);
    expect(res.cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(res.cert.checkHost('localhost')).toBe('localhost');
    expect(res.cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
    expect(res.cert.raw.byteLength).toBeLessThan(600);
  });

  it('is ready on PGlite and three local-directory nodes, with keys created mode 0600', async () => {
    const res = await get(`${url}/readyz`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.database).toBe(true);
    expect(body.nodes).toHaveLength(3);
    expect(out).toContain('metadata: pglite');
    // Started without --liftoff-only (unlike npm start): told what that costs (server/README.md, "Memory").
    expect(out).toContain('embedded database without node --liftoff-only');
    expect((await stat(join(dir(), 'pglite'))).isDirectory()).toBe(true);
    for (const f of ['master.key', 'server-secret.key']) {
      expect((await stat(join(dir(), 'keys', f))).mode & 0o777).toBe(0o600);
    }
  });
});
