/**
 * The rules at the edge (issue 12), one regression test per class the fuzzer looks for, against
 * the real server process where a crash would show: the upgrade that used to end the process,
 * values the database would refuse (rev=3000000000, NUL, huge cursors), the JSON body cap,
 * and the password change a user must make before anything else.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64url } from './fixtures/fuzz-values.js';
import { rawExchange, upgradeRequest, wsFrame } from './fixtures/raw-http.js';
import { PASSWORD, startServerProcess, type Reply, type ServerProcess } from './fixtures/server-process.js';

describe('rules at the edge (server process)', () => {
  let srv: ServerProcess;
  let port: number;
  const api = (method: string, path: string, o: { json?: unknown; headers?: Record<string, string>; body?: string } = {}) => srv.call(method, `/api/v1${path}`, o);
  const issues = (r: Reply) => (r.json().error.details?.issues ?? []).map((i: { path: unknown[] }) => i.path.join('.'));

  beforeAll(async () => {
    srv = await startServerProcess({ backend: 'postgres', admin: true });
    port = Number(new URL(srv.url).port);
  }, 60_000);
  afterAll(async () => {
    await srv?.cleanup();
  });

  it('an upgrade whose target is not a URL gets a 400, and the process keeps serving', async () => {
    for (const target of ['//', 'http://[', 'http://[::1']) {
      const res = await rawExchange(port, upgradeRequest(target, {}));
      expect(res.status, target).toBe(400);
    }
    const res = await rawExchange(port, Buffer.from('GET // HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'));
    expect(res.status).toBe(400);
    expect(res.text).toContain('"code":"bad_request"');
    expect((await srv.call('GET', '/healthz')).status).toBe(200);
    expect(srv.output()).not.toMatch(/TypeError|Invalid URL/);
  });

  it('a Host that makes no URL is a 400, even for a route that reads the body', async () => {
    const res = await rawExchange(
      port,
      Buffer.from(`POST /api/v1/mkdir HTTP/1.1\r\nHost: 999.999.999.999\r\nAuthorization: Bearer ${srv.token}\r\nContent-Type: application/json\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{"path":"/hh"}`),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('invalid_url');
  });

  it('integers past their column are 400 with the field named: rev=3000000000, counts, cursors', async () => {
    await api('POST', '/upload?uploadType=media&path=/r.txt', { body: 'x' });
    for (const path of ['/download?path=/r.txt&rev=3000000000', '/revisions/blocks?path=/r.txt&rev=3000000000', '/upload?uploadType=media&path=/s.txt&baseRev=3000000000']) {
      const r = await api(path.startsWith('/upload') ? 'POST' : 'GET', path);
      expect(r.status, path).toBe(400);
      expect(r.json().error.code).toBe('invalid_request');
      expect(issues(r), path).toEqual([path.includes('baseRev') ? 'baseRev' : 'rev']);
    }
    const restore = await api('POST', '/revisions/restore', { json: { path: '/r.txt', rev: 3_000_000_000 } });
    expect([restore.status, issues(restore)]).toEqual([400, ['rev']]);
    const resumable = await api('POST', '/upload?uploadType=resumable', { json: { path: '/s.txt', baseRev: 3_000_000_000, size: 2 ** 60 } });
    expect([resumable.status, [...new Set(issues(resumable))].sort()]).toEqual([400, ['baseRev', 'size']]);
    for (const q of ['/changes?cursor=9999999999999999999', '/changes/longpoll?cursor=9999999999999999999', '/list?limit=1e3', '/trash?limit=']) {
      const r = await api('GET', q);
      expect(r.status, q).toBe(400);
      expect(r.json().error.code, q).toBe('invalid_request');
    }
  });

  it('page cursors are decoded and checked: a well-formed cursor with values the database would refuse is a 400 on `cursor`', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const list = base64url(JSON.stringify({ v: 1, f: null, s: 'size', o: 'asc', d: false, k: '9999999999999999999', i: id }));
    const named = base64url(JSON.stringify({ v: 1, f: null, s: 'name', o: 'asc', d: false, k: 'a\u0000b', i: id }));
    const trash = base64url(JSON.stringify({ t: '99999999999999999999', i: id }));
    for (const path of [`/list?sort=size&cursor=${list}`, `/list?cursor=${named}`, `/trash?cursor=${trash}`, '/trash?cursor=%C0%AF', '/notifications?cursor=9999999999999999999']) {
      const r = await api('GET', path);
      expect(r.status, path).toBe(400);
      expect([r.json().error.code, issues(r)], path).toEqual(['invalid_request', ['cursor']]);
    }
  });

  it('text with NUL or a lone surrogate is a 400 naming the field, before sign-in too', async () => {
    const login = await srv.call('POST', '/api/v1/auth/login', { headers: { authorization: '' }, json: { username: 'ad\u0000min', password: 'x' } });
    expect([login.status, login.json().error.code, issues(login)]).toEqual([400, 'invalid_request', ['username']]);
    const lone = await srv.call('POST', '/api/v1/auth/login', { headers: { authorization: '' }, body: '{"username":"a\\ud800","password":"x"}' });
    expect([lone.status, issues(lone)]).toEqual([400, ['username']]);
    const search = await api('GET', '/search?q=a%00b');
    expect([search.status, issues(search)]).toEqual([400, ['q']]);
    const mkdir = await api('POST', '/mkdir', { json: { path: '/x\u0000y' } });
    expect([mkdir.status, issues(mkdir)]).toEqual([400, ['path']]);
    const device = await srv.call('POST', '/api/v1/auth/login', { headers: { authorization: '' }, json: { username: srv.username, password: PASSWORD, device: { name: '\udc00', kind: 'cli' } } });
    expect([device.status, issues(device)]).toEqual([400, ['device.name']]);
    expect(srv.output()).not.toMatch(/unexpected error/);
  });

  it('a 16 MiB JSON body is refused with 413 on its Content-Length, before the body is sent', async () => {
    const head = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 16777216\r\n\r\n{"username":"a';
    const res = await rawExchange(port, Buffer.from(head), { quietMs: 2_000 });
    expect(res.status).toBe(413);
    expect(res.text).toContain('"code":"payload_too_large"');
  });

  it('a chunked JSON body is counted as it comes and refused with 413 at the cap, long before 16 MiB', async () => {
    let produced = 0;
    const answer = await new Promise<{ status: number; produced: number }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        resolve({ status: res.statusCode!, produced });
        res.resume();
        req.destroy();
      });
      req.on('error', () => undefined); // destroyed after the answer
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      req.write('{"username":"');
      const pump = () => {
        if (produced >= 16 * 1024 * 1024 || req.destroyed) return req.destroyed || req.end('","password":"x"}');
        produced += chunk.length;
        req.write(chunk);
        setTimeout(pump, 2);
      };
      pump();
      setTimeout(() => reject(new Error('no answer within 30 s')), 30_000).unref();
    });
    expect(answer.status).toBe(413);
    expect(answer.produced).toBeLessThan(2 * 1024 * 1024);
    expect((await srv.call('GET', '/healthz')).status).toBe(200);
  });

  it('the bulk sync requests take the bodies their schemas allow, past the 64 KiB default', async () => {
    const hash = 'ab'.repeat(32);
    const missing = await api('POST', '/blocks/missing', { json: { hashes: Array.from({ length: 10_000 }, () => hash) } });
    expect(missing.status).toBe(200); // ~670 KB
    const blocks = Array.from({ length: 9_000 }, () => ({ hash, size: 1_100_000 }));
    const commit = await api('POST', '/files/commit', { json: { path: '/big.bin', size: 9_000 * 1_100_000, blocks, baseRev: null } });
    expect([commit.status, commit.json().error.code]).toEqual([400, 'missing_blocks']); // ~800 KB, read and checked
    const login = await srv.call('POST', '/api/v1/auth/login', { headers: { authorization: '' }, json: { username: 'a'.repeat(70_000), password: 'x' } });
    expect([login.status, login.json().error.code]).toEqual([413, 'payload_too_large']);
  });

  it('a websocket resume with a cursor past 2^53 is an error message, not a crash', async () => {
    const frame = wsFrame(Buffer.from('{"type":"resume","cursor":"9999999999999999999"}'));
    const res = await rawExchange(port, upgradeRequest('/api/v1/events', { 'sec-websocket-protocol': `coffer, bearer.${srv.token}` }), { afterUpgrade: [frame] });
    expect(res.status).toBe(101);
    expect(res.text).toContain('"code":"invalid_message"');
  });

  it('a user who must change the password may read /me, change it and sign out; everything else is 403 password_change_required', async () => {
    const admin = srv.adminAuth!;
    const made = await api('POST', '/admin/users', { headers: admin, json: { username: 'mcp_user', password: PASSWORD, mustChangePassword: false } });
    expect(made.status).toBe(201);
    const signIn = async (username: string) => (await srv.call('POST', '/api/v1/auth/login', { headers: { authorization: '' }, json: { username, password: PASSWORD } })).json().token as string;
    const token = await signIn('mcp_user');
    const auth = { authorization: `Bearer ${token}` };
    const appPassword = (await api('POST', '/app-passwords', { headers: auth, json: { label: 'dav' } })).json().password as string;
    expect((await api('PATCH', `/admin/users/${made.json().id}`, { headers: admin, json: { mustChangePassword: true } })).status).toBe(200);

    const me = await api('GET', '/me', { headers: auth });
    expect([me.status, me.json().mustChangePassword]).toEqual([200, true]);
    const refused: [string, string, unknown?][] = [
      ['GET', '/list?path=/'],
      ['POST', '/mkdir', { path: '/nope' }],
      ['GET', '/changes?cursor=0'],
      ['GET', '/changes/longpoll?cursor=0'],
      ['GET', '/notifications'],
      ['GET', '/search?q=a'],
      ['GET', '/app-passwords'],
      ['POST', '/app-passwords', { label: 'more' }],
      ['GET', '/devices'],
      ['POST', '/upload?uploadType=resumable', { path: '/u.bin' }],
      ['POST', '/blocks/missing', { hashes: [] }],
      ['GET', '/download?path=/x'],
    ];
    for (const [method, path, json] of refused) {
      for (const who of [auth, { authorization: `Bearer ${appPassword}` }]) {
        const r = await api(method, path, { headers: who, ...(json ? { json } : {}) });
        expect([r.status, r.json().error?.code], `${method} ${path}`).toEqual([403, 'password_change_required']);
      }
    }
    const ws = await rawExchange(port, upgradeRequest('/api/v1/events', { 'sec-websocket-protocol': `coffer, bearer.${token}` }));
    expect(ws.status).toBe(403);
    expect(ws.text).toContain('password_change_required');

    // An administrator who must change the password does not administer either.
    expect((await api('POST', '/admin/users', { headers: admin, json: { username: 'mcp_admin', password: PASSWORD, role: 'admin' } })).status).toBe(201);
    const adminToken = await signIn('mcp_admin');
    const adminList = await api('GET', '/admin/users', { headers: { authorization: `Bearer ${adminToken}` } });
    expect([adminList.status, adminList.json().error.code]).toEqual([403, 'password_change_required']);

    // Signing out works; so does changing the password, after which everything does.
    const other = await signIn('mcp_user');
    expect((await srv.call('POST', '/api/v1/auth/logout', { headers: { authorization: `Bearer ${other}` } })).status).toBe(204);
    expect((await api('POST', '/me/password', { headers: auth, json: { current: PASSWORD, new: 'a new long password' } })).status).toBe(204);
    expect((await api('GET', '/list?path=/', { headers: auth })).status).toBe(200);
    expect((await api('GET', '/me', { headers: auth })).json().mustChangePassword).toBe(false);
  });
});
