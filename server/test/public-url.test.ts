/**
 * Absolute URLs the server emits (the resumable session's Location): COFFER_PUBLIC_URL when set;
 * else the request's Host only when it names this server at the port the request came in on,
 * and otherwise the address the connection reached. A hostile Host never reaches a Location.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './fixtures/server.js';

/** POST a resumable upload with this Host header; the answer's Location. */
function startWithHost(url: string, auth: Record<string, string>, host: string, path: string): Promise<{ status: number; location?: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ path, size: 3 });
    const req = request(
      { host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/upload?uploadType=resumable', headers: { ...auth, host, 'content-type': 'application/json', 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Location without COFFER_PUBLIC_URL: Host only when it names this server', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer('postgres');
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  it('keeps a Host naming this server, replaces any other with the address the connection reached', async () => {
    const u = await srv.user();
    const port = new URL(srv.url).port;
    const own = `http://127.0.0.1:${port}`;
    const cases: [string, string][] = [
      [`127.0.0.1:${port}`, own],
      [`localhost:${port}`, `http://localhost:${port}`],
      [`LOCALHOST:${port}`, `http://LOCALHOST:${port}`],
      ['evil.example', own],
      [`evil.example:${port}`, own],
      ['127.0.0.1:1', own],
      [`127.0.0.1.evil.example:${port}`, own],
      ['[::1]:1', own],
    ];
    let n = 0;
    for (const [host, base] of cases) {
      const r = await startWithHost(srv.url, u.auth, host, `/loc${n++}.bin`);
      expect(r.status, host).toBe(200);
      expect(r.location, host).toMatch(new RegExp(`^${base.replace(/[.[\]]/g, '\\$&')}/api/v1/upload/sessions/[0-9a-f-]{36}$`));
    }
    // The fallback is a URL the client can follow: the upload completes there.
    const { location } = await startWithHost(srv.url, u.auth, 'evil.example', '/followed.bin');
    const put = await fetch(location!, { method: 'PUT', headers: { ...u.auth, 'content-range': 'bytes 0-2/3' }, body: 'abc' });
    expect(put.status).toBe(201);
  });
});

describe('Location with COFFER_PUBLIC_URL', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer('postgres', { COFFER_PUBLIC_URL: 'https://drive.example.com/coffer/' });
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  it('a sign-in from the public origin is this site’s own; others are refused', async () => {
    const u = await srv.user();
    const login = (origin: string) =>
      fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ username: u.username, password: 'correct horse battery staple' }) });
    expect((await login('https://drive.example.com')).status).toBe(200);
    expect((await login('https://evil.example')).status).toBe(403);
  });

  it('every Location starts with the public URL, whatever the Host', async () => {
    const u = await srv.user();
    const port = new URL(srv.url).port;
    for (const host of [`127.0.0.1:${port}`, 'evil.example']) {
      const r = await startWithHost(srv.url, u.auth, host, `/p-${host.length}.bin`);
      expect(r.location, host).toMatch(/^https:\/\/drive\.example\.com\/coffer\/api\/v1\/upload\/sessions\/[0-9a-f-]{36}$/);
    }
  });
});

describe('COFFER_PUBLIC_URL', () => {
  it('is an http(s) origin with an optional path, kept without its trailing slash', () => {
    expect(loadConfig({ COFFER_PUBLIC_URL: 'https://drive.example.com/' }).publicUrl).toBe('https://drive.example.com');
    expect(loadConfig({ COFFER_PUBLIC_URL: '' }).publicUrl).toBeUndefined();
    for (const bad of ['ftp://drive.example.com', 'drive.example.com', 'https://drive.example.com/?a=1', 'https://u:p@drive.example.com']) {
      expect(() => loadConfig({ COFFER_PUBLIC_URL: bad }), bad).toThrow(/COFFER_PUBLIC_URL/);
    }
  });
});
