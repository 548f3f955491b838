/**
 * Hundreds of malformed WebDAV requests — broken paths, headers and XML, in every method — must
 * each get an answer below 500, and the server keeps serving. Seeded (COFFER_FUZZ_SEED) so a
 * failure can be replayed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawExchange } from './fixtures/raw-http.js';
import { startDavServer, type DavServer } from './fixtures/webdav.js';

let s: DavServer;
beforeAll(async () => {
  s = await startDavServer();
  await s.fetch('/folder', { method: 'MKCOL' });
  await s.fetch('/folder/file.txt', { method: 'PUT', body: 'x' });
  await s.fetch('/kept.txt', { method: 'PUT', body: 'still here' }); // no fuzzed request names it
});
afterAll(async () => {
  await s?.close();
});

const seed = Number(process.env.COFFER_FUZZ_SEED ?? 1616);
function rng(seed0: number) {
  let x = seed0 >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK', 'OPTIONS', 'POST', 'PATCH', 'SEARCH', 'REPORT'];
const PATHS = [
  '/', '/folder', '/folder/', '/folder/file.txt', '/missing/deeper/x', '/%ZZ', '/%', '/a%2Fb', '/a%5Cb', '/%00', '/con', '/nul.txt', '/trailing.', '/trailing%20',
  `/${'n'.repeat(300)}`, `/${'d/'.repeat(300)}x`, '/%F0%9F%98%80', '/%ED%A0%80', '/%C0%AF', '/./../..', '/files', '/files/someone/x', '/folder/file.txt/below', '/%23hash', '/a?b=c',
];
const XML = [
  '', '<', '<?xml version="1.0"?>', '<D:propfind xmlns:D="DAV:"/>', '<D:propfind xmlns:D="DAV:"><D:prop/></D:propfind>', '<propfind/>',
  '<D:propfind xmlns:D="DAV:"><D:prop><x:y/></D:prop></D:propfind>', '<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:quota-used-bytes/></D:include></D:propfind>',
  '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag></D:prop></D:set></D:propertyupdate>',
  '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:p xmlns:Z="z">&#0;</Z:p></D:prop></D:set></D:propertyupdate>',
  '<D:propertyupdate xmlns:D="DAV:"><D:remove><D:prop><Z:p xmlns:Z="z"/></D:prop></D:remove></D:propertyupdate>',
  '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Z:Win32LastModifiedTime xmlns:Z="urn:schemas-microsoft-com:">not a date</Z:Win32LastModifiedTime></D:prop></D:set></D:propertyupdate>',
  '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
  '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:bogus/></D:lockscope></D:lockinfo>', '<D:lockinfo xmlns:D="DAV:"/>',
  `<a>${'<b>'.repeat(5000)}${'</b>'.repeat(5000)}</a>`, `<a ${Array.from({ length: 2000 }, (_, i) => `x${i}="1"`).join(' ')}/>`,
  '<!DOCTYPE x [<!ENTITY y SYSTEM "file:///etc/passwd">]><x>&y;</x>', '<x>&amp;&lt;&#x110000;</x>', '<x xmlns:p=""><p:y/></x>', '\uFEFF<x/>', '<x>\u0000</x>',
];
const HEADERS: Record<string, string[]> = {
  depth: ['0', '1', 'infinity', '2', '-1', 'banana', ''],
  destination: ['/dav/folder/copy', 'http://elsewhere.example/dav/x', '/api/v1/me', '::::', '/dav/', '/dav/folder/file.txt', '/dav/%ZZ', `/dav/${'q'.repeat(5000)}`],
  overwrite: ['T', 'F', 'maybe'],
  if: ['(<opaquelocktoken:x>)', '(', '<x>', '(Not)', '([etag)', '(<a> [b]) <c> (<d>)', '()', 'garbage', `(${'<x>'.repeat(2000)})`],
  timeout: ['Second-1', 'Infinite', 'Second-99999999999999', 'Second-x', ',,,'],
  'lock-token': ['<opaquelocktoken:nope>', 'nope', '<>', ''],
  'x-oc-mtime': ['1', 'x', '99999999999999', '-5', '1.5'],
  range: ['bytes=0-0', 'bytes=9-1', 'bytes=-0', 'bytes=99999-'],
};

it('answers hundreds of malformed requests without a 5xx and keeps serving', { timeout: 240_000 }, async () => {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const failures: string[] = [];
  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < 600; i++) {
    const method = pick(METHODS);
    const path = pick(PATHS);
    const headers: Record<string, string> = {};
    for (const [h, vals] of Object.entries(HEADERS)) if (next() < 0.3) headers[h] = pick(vals);
    const body = ['GET', 'HEAD'].includes(method) ? undefined : pick(XML);
    jobs.push(async () => {
      let status: number;
      try {
        const r = await fetch(`${s.dav}${path}`, { method, headers: { authorization: s.basic, ...headers }, body });
        status = r.status;
        await r.arrayBuffer().catch(() => undefined);
      } catch (err) {
        // The client refused to send it (a header value fetch will not put on the wire): not the server's doing.
        if (err instanceof TypeError && !/fetch failed/.test(err.message)) return;
        failures.push(`${method} ${path} ${JSON.stringify(headers)}: ${String(err)}`);
        return;
      }
      if (status >= 500) failures.push(`${status} ${method} ${path} ${JSON.stringify(headers)} ${body?.slice(0, 80)}`);
    });
  }
  for (let i = 0; i < jobs.length; i += 8) await Promise.all(jobs.slice(i, i + 8).map((j) => j()));

  // Bytes no HTTP library sends: broken percent-encoding and raw UTF-8 garbage in the target, methods in odd case.
  const port = Number(new URL(s.dav).port);
  for (const target of ['/dav/%', '/dav/\xff\xfe', '/dav/a b', '/dav/..%2f..%2fetc', '/dav//', '/dav/%c0%ae%c0%ae/']) {
    for (const method of ['PROPFIND', 'propfind', 'LOCK', 'MOVE']) {
      const req = Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${s.basic}\r\nDestination: /dav/x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 'latin1');
      const a = await rawExchange(port, req);
      if (a.status !== undefined && a.status >= 500) failures.push(`raw ${a.status} ${method} ${JSON.stringify(target)}`);
    }
  }
  expect(failures).toEqual([]);
  const ok = await s.fetch('/kept.txt');
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('still here');
});
