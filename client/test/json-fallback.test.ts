/**
 * Compressed JSON bodies and an older server (issue 21, @coffer/protocol json-encoding.ts): a
 * server that reads a zstd body as JSON answers 400 invalid_json; the client sends the same
 * request plain at once, and plain from then on. Against a current server bodies go compressed,
 * and a compressed answer is asked for only when the answer can be long enough to come so.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@coffer/server/testing/server';
import { CofferApi } from '../src/api/client.js';

let srv: TestServer;
let token: string;
beforeAll(async () => {
  srv = await startTestServer('postgres');
  token = (await srv.user()).token;
});
afterAll(async () => {
  await srv?.close();
});

const hashes = (n: number) => Array.from({ length: n }, () => createHash('sha256').update(randomBytes(8)).digest('hex'));

/** A hop in front of the server that records each request's Content-Encoding and, as `old`, refuses encoded bodies as an older server does. */
async function hop(old: boolean) {
  const target = new URL(srv.url);
  const seen: (string | undefined)[] = [];
  const accepts: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      seen.push(req.headers['content-encoding']);
      accepts.push(req.headers['accept-encoding']);
      if (old && req.headers['content-encoding']) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'invalid_json', message: 'Request body is not valid JSON' } }));
        return;
      }
      const fwd = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.end(Buffer.concat(parts));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = new CofferApi(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { insecureHttp: true }, token);
  return {
    api,
    seen,
    accepts,
    close: async () => {
      api.http.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('compressed JSON bodies', () => {
  it('go as zstd to a current server, answered as a bitmap', async () => {
    const h = await hop(false);
    try {
      const asked = hashes(50);
      expect(await h.api.missingBlocks(asked)).toEqual(new Set(asked));
      expect(h.seen).toEqual(['zstd']);
      expect(await h.api.missingBlocks(asked.slice(0, 2))).toEqual(new Set(asked.slice(0, 2))); // short: plain
      expect(h.seen).toEqual(['zstd', undefined]);
      // A compressed answer is asked for only where one could come: a few hashes' answer never does.
      expect(h.accepts).toEqual(['zstd', undefined]);
    } finally {
      await h.close();
    }
  });

  it('fall back to plain on an older server once, and stay plain', async () => {
    const h = await hop(true);
    try {
      const asked = hashes(50);
      expect(await h.api.missingBlocks(asked)).toEqual(new Set(asked));
      expect(h.seen).toEqual(['zstd', undefined]);
      expect(await h.api.missingBlocks(hashes(50))).toHaveProperty('size', 50);
      expect(h.seen).toEqual(['zstd', undefined, undefined]);
    } finally {
      await h.close();
    }
  });
});
