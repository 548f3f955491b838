/**
 * Big bodies of pieces (packs) go out through reused stages (api/staged-body.ts): what arrives is
 * the pieces, in order, byte for byte, across stage boundaries; a request that dies mid-body fails
 * instead of waiting for write callbacks that never come.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../src/api/http.js';
import { STAGED_FROM } from '../src/api/staged-body.js';

async function withServer(handler: http.RequestListener, run: (client: HttpClient) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new HttpClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { insecureHttp: true }, 'token');
  try {
    await run(client);
  } finally {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe('staged request bodies', () => {
  it('arrive as the pieces joined, whatever their sizes against the stages', async () => {
    const echo: http.RequestListener = (req, res) => {
      const h = createHash('sha256');
      let n = 0;
      req.on('data', (d: Buffer) => {
        h.update(d);
        n += d.byteLength;
      });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n, sha: h.digest('hex') })));
    };
    await withServer(echo, async (client) => {
      const bodies = [
        [randomBytes(3), randomBytes(STAGED_FROM + 5), randomBytes(300 * 1024), randomBytes(7), randomBytes(2 * STAGED_FROM)],
        [randomBytes(256 * 1024), randomBytes(256 * 1024), randomBytes(512 * 1024)], // exactly whole stages
        Array.from({ length: 4000 }, (_, i) => randomBytes(1 + (i % 700))), // many small pieces
      ];
      // Twice each and two at once: stages are reused across requests.
      for (let round = 0; round < 2; round++) {
        const got = await Promise.all(bodies.map((pieces) => client.json<{ n: number; sha: string }>('POST', '/pack', { body: pieces })));
        got.forEach((g, i) => {
          const whole = Buffer.concat(bodies[i]!);
          expect(whole.byteLength).toBeGreaterThanOrEqual(STAGED_FROM);
          expect(g).toEqual({ n: whole.byteLength, sha: createHash('sha256').update(whole).digest('hex') });
        });
      }
    });
  });

  it('fail, not hang, when the connection dies mid-body', async () => {
    const cut: http.RequestListener = (req) => {
      let n = 0;
      req.on('data', (d: Buffer) => {
        n += d.byteLength;
        if (n > 512 * 1024) req.socket.destroy();
      });
    };
    await withServer(cut, async (client) => {
      const pieces = Array.from({ length: 64 }, () => randomBytes(256 * 1024 + 1));
      await expect(client.json('POST', '/pack', { body: pieces, idleTimeoutMs: 20_000 })).rejects.toThrow();
    });
  });
});
