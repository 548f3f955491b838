/**
 * Compressed JSON bodies and an older server (issue 21, @coffer/protocol json-encoding.ts): a
 * server that reads a zstd body as JSON answers 400 invalid_json; the client sends the same
 * request plain at once, and plain from then on. Against a current server bodies go compressed,
 * and a compressed answer is asked for only when the answer can be long enough to come so.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@coffer/server/testing/server';
import { olderServer } from './older-server.js';

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
  const seen: (string | undefined)[] = [];
  const accepts: (string | undefined)[] = [];
  const server = await olderServer(srv.url, token, (req) => {
    seen.push(req.headers['content-encoding']);
    accepts.push(req.headers['accept-encoding']);
    return old && req.headers['content-encoding'] ? { status: 400, code: 'invalid_json', message: 'Request body is not valid JSON' } : undefined;
  });
  return { api: server.api, seen, accepts, close: () => server.close() };
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
