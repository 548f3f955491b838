/**
 * Locks as clients use them: Windows Explorer's LOCK of a new name, 0-byte PUT then the real PUT
 * under the token; a lock taken through one server instance refusing writes through another on
 * the same database (locks live in the database); and the account password accepted only when
 * COFFER_WEBDAV_ACCOUNT_PASSWORD=1.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './fixtures/server.js';
import { startDavServer, type DavServer } from './fixtures/webdav.js';

const LOCKINFO = '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>explorer</D:href></D:owner></D:lockinfo>';

let s: DavServer;
let second: TestServer;
beforeAll(async () => {
  s = await startDavServer({ COFFER_WEBDAV_ACCOUNT_PASSWORD: '1' });
  // Another instance on the same PostgreSQL database (its own data directory and port).
  second = await startTestServer('postgres', { DATABASE_URL: s.server.deps.config.databaseUrl!, COFFER_PLAIN_HTTP: '1' });
});
afterAll(async () => {
  await second?.close();
  await s?.close();
});

it('takes Explorer’s sequence: LOCK a new name, 0-byte PUT, real PUT under the token, UNLOCK', async () => {
  const lock = await s.fetch('/report.docx', { method: 'LOCK', headers: { 'content-type': 'text/xml', timeout: 'Second-3600', depth: '0' }, body: LOCKINFO });
  expect(lock.status).toBe(201); // nothing was there: an empty file now is
  const token = lock.headers.get('lock-token')!;
  expect(token).toMatch(/^<opaquelocktoken:[0-9a-f-]{36}>$/);
  const answer = await lock.clone().text();
  expect(answer).toContain('<D:lockroot><D:href>/dav/report.docx</D:href></D:lockroot>');
  expect(await lock.text()).toContain('<D:owner><href xmlns="DAV:">explorer</href></D:owner>'); // the owner as sent, namespaces declared
  expect((await s.fetch('/report.docx', { method: 'PUT', body: '' })).status).toBe(423);
  expect((await s.fetch('/report.docx', { method: 'PUT', body: '', headers: { if: `(${token})` } })).status).toBe(204);
  expect((await s.fetch('/report.docx', { method: 'PUT', body: 'the real bytes', headers: { if: `(${token})` } })).status).toBe(204);
  expect((await s.fetch('/report.docx', { method: 'UNLOCK', headers: { 'lock-token': token } })).status).toBe(204);
  expect(await (await s.fetch('/report.docx')).text()).toBe('the real bytes');
  expect((await s.fetch('/report.docx', { method: 'PUT', body: 'after unlock' })).status).toBe(204);
});

it('holds a lock across server instances sharing the database', async () => {
  expect((await s.fetch('/shared.txt', { method: 'PUT', body: 'one' })).status).toBe(201);
  const lock = await s.fetch('/shared.txt', { method: 'LOCK', headers: { 'content-type': 'text/xml' }, body: LOCKINFO });
  expect(lock.status).toBe(200);
  const token = lock.headers.get('lock-token')!;
  const other = (path: string, init: RequestInit = {}) => fetch(`${second.url}/dav${path}`, { ...init, headers: { authorization: s.basic, ...(init.headers as Record<string, string>) } });
  expect((await other('/shared.txt', { method: 'DELETE' })).status).toBe(423);
  const discovered = await (await other('/shared.txt', { method: 'PROPFIND', headers: { depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>' })).text();
  expect(discovered).toContain(token.slice(1, -1));
  expect((await other('/shared.txt', { method: 'UNLOCK', headers: { 'lock-token': token } })).status).toBe(204);
  expect((await s.fetch('/shared.txt', { method: 'DELETE' })).status).toBe(204);
});

it('drops a lock whose file was deleted through the REST API (which knows no locks)', async () => {
  expect((await s.fetch('/gone.txt', { method: 'PUT', body: 'x' })).status).toBe(201);
  expect((await s.fetch('/gone.txt', { method: 'LOCK', headers: { 'content-type': 'text/xml' }, body: LOCKINFO })).status).toBe(200);
  const del = await fetch(`${s.server.url}/api/v1/delete`, { method: 'POST', headers: { ...s.bearer, 'content-type': 'application/json' }, body: JSON.stringify({ path: '/gone.txt' }) });
  expect(del.status).toBe(200);
  expect((await s.fetch('/gone.txt', { method: 'PUT', body: 'new file' })).status).toBe(201);
  expect((await s.fetch('/gone.txt', { method: 'LOCK', headers: { 'content-type': 'text/xml' }, body: LOCKINFO })).status).toBe(200);
});

it('takes the account password when the admin allows it', async () => {
  const account = `Basic ${Buffer.from(`${s.username}:correct horse battery staple`).toString('base64')}`;
  expect((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: { authorization: account, depth: '0' } })).status).toBe(207);
  const wrong = `Basic ${Buffer.from(`${s.username}:wrong horse`).toString('base64')}`;
  expect((await fetch(`${s.dav}/`, { method: 'PROPFIND', headers: { authorization: wrong, depth: '0' } })).status).toBe(401);
});
