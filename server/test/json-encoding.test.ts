/**
 * Compressed JSON on /api/v1 (issue 21, @coffer/protocol json-encoding.ts): zstd and gzip request
 * bodies are taken, with the JSON cap on their decoded bytes; any other coding is 415; answers go
 * as zstd only to bearer requests that ask for it; POST /blocks/missing answers a bitmap on request.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { gzipSync, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER, SESSION_COOKIE, missingFromBits } from '@coffer/protocol';
import { useTestServer } from './fixtures/server.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request exactly as given (no client library adding or decoding anything). */
function send(url: string, path: string, headers: Record<string, string>, body?: Buffer, method = body ? 'POST' : 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, url), { method, headers: { ...headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (r: Raw) => JSON.parse((r.headers['content-encoding'] === 'zstd' ? zstdDecompressSync(r.body) : r.body).toString('utf8')) as Record<string, any>;
const hashes = (n: number) => Array.from({ length: n }, () => createHash('sha256').update(randomBytes(8)).digest('hex'));

describe('compressed JSON', () => {
  const srv = useTestServer('postgres');
  const missing = (headers: Record<string, string>, body: Buffer, query = '') => send(srv.url, `/api/v1/blocks/missing${query}`, { 'content-type': 'application/json', ...headers }, body);

  it('takes a zstd or gzip body as the JSON it encodes, and answers compressed only when asked', async () => {
    const { token } = await srv.user();
    const asked = hashes(40);
    const text = Buffer.from(JSON.stringify({ hashes: asked }));
    const bearer = { authorization: `Bearer ${token}` };
    const plain = await missing(bearer, text);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(json(plain)).toEqual({ missing: asked });
    for (const [coding, body] of [
      ['zstd', zstdCompressSync(text)],
      ['gzip', gzipSync(text)],
    ] as const) {
      expect(body.byteLength).toBeLessThan(text.byteLength);
      const r = await missing({ ...bearer, 'content-encoding': coding, 'accept-encoding': 'gzip, zstd' }, body);
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBe('zstd');
      expect(r.headers.vary).toBe('Accept-Encoding');
      expect(r.body.byteLength).toBeLessThan(plain.body.byteLength);
      expect(json(r)).toEqual({ missing: asked });
    }
    // zstd refused (q=0): plain.
    expect((await missing({ ...bearer, 'accept-encoding': 'zstd;q=0' }, text)).headers['content-encoding']).toBeUndefined();
    // A short answer is not worth a frame.
    const short = await missing({ ...bearer, 'accept-encoding': 'zstd' }, Buffer.from(JSON.stringify({ hashes: asked.slice(0, 2) })));
    expect(short.headers['content-encoding']).toBeUndefined();
    // A browser's (cookie) request never gets a compressed answer, whatever it accepts.
    const cookie = await missing({ cookie: `${SESSION_COOKIE}=${token}`, [CSRF_HEADER]: '1', 'accept-encoding': 'gzip, deflate, br, zstd' }, text);
    expect(cookie.status).toBe(200);
    expect(cookie.headers['content-encoding']).toBeUndefined();
    expect(json(cookie)).toEqual({ missing: asked });
  });

  it('refuses other codings (415, naming its own), undecodable bodies (400) and bombs past the cap (413)', async () => {
    const { token } = await srv.user();
    const bearer = { authorization: `Bearer ${token}` };
    const text = Buffer.from(JSON.stringify({ hashes: hashes(3) }));
    const br = await missing({ ...bearer, 'content-encoding': 'br' }, text);
    expect(br.status).toBe(415);
    expect(json(br).error.code).toBe('unsupported_encoding');
    expect(br.headers['accept-encoding']).toBe('zstd, gzip');
    const torn = zstdCompressSync(text).subarray(0, 20);
    const bad = await missing({ ...bearer, 'content-encoding': 'zstd' }, torn);
    expect(bad.status).toBe(400);
    expect(json(bad).error.code).toBe('invalid_json');
    // 64 MiB of spaces in a few KiB: decoded only up to the cap.
    const bomb = zstdCompressSync(Buffer.concat([Buffer.from('{"hashes": []'), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('}')]));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const big = await missing({ ...bearer, 'content-encoding': 'zstd' }, bomb);
    expect(big.status).toBe(413);
    expect(json(big).error.code).toBe('payload_too_large');
    // The server is well after all that.
    expect((await missing(bearer, text)).status).toBe(200);
  });

  it('answers POST /blocks/missing?answer=bits with one bit per hash asked', async () => {
    const { token } = await srv.user();
    const bearer = { authorization: `Bearer ${token}` };
    const data = randomBytes(1000);
    const held = createHash('sha256').update(data).digest('hex');
    const put = await send(srv.url, `/api/v1/blocks/${held}`, { ...bearer, 'content-type': 'application/octet-stream' }, data, 'PUT');
    expect(put.status).toBe(201);
    const asked = [...hashes(9), held, ...hashes(2)];
    const r = await missing(bearer, Buffer.from(JSON.stringify({ hashes: asked })), '?answer=bits');
    expect(r.status).toBe(200);
    const ans = json(r);
    expect(Object.keys(ans)).toEqual(['missingBits']);
    expect([...missingFromBits(asked, ans.missingBits as string)!]).toEqual(asked.filter((h) => h !== held));
    expect(missingFromBits(asked.slice(0, 3), ans.missingBits as string)).toBeUndefined(); // not the question's size
    expect(json(await missing(bearer, Buffer.from(JSON.stringify({ hashes: asked }))))).toEqual({ missing: asked.filter((h) => h !== held) });
  });
});
