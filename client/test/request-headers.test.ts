/**
 * What every API request carries (api/http.ts): no `Connection: keep-alive` — 24 bytes a request
 * that a 1.1 server reads as the default anyway — and the connection is still kept and reused.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpClient } from '../src/api/http.js';

describe('request headers', () => {
  it('say nothing about the connection, which is still reused', async () => {
    const seen: { connection: string | undefined; socket: Socket }[] = [];
    const server = http.createServer((req, res) => {
      seen.push({ connection: req.headers.connection, socket: req.socket });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new HttpClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { insecureHttp: true }, 'token');
    try {
      expect(await client.json('GET', '/a')).toEqual({ ok: true });
      expect(await client.json('POST', '/b', { json: { x: 1 } })).toEqual({ ok: true });
      expect(await client.json('POST', '/c', { body: new Uint8Array(10) })).toEqual({ ok: true });
      expect(seen.map((s) => s.connection)).toEqual([undefined, undefined, undefined]);
      expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    } finally {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
