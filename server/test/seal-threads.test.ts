import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './fixtures/server.js';
import { download, sha256, upload } from './fixtures/transfer.js';

describe('COFFER_SEAL_THREADS', () => {
  it('defaults to sealing on the main thread and refuses nonsense', () => {
    expect(loadConfig({}).sealThreads).toBe(0);
    expect(loadConfig({ COFFER_SEAL_THREADS: '2' }).sealThreads).toBe(2);
    expect(() => loadConfig({ COFFER_SEAL_THREADS: '-1' })).toThrow(/COFFER_SEAL_THREADS/);
    expect(() => loadConfig({ COFFER_SEAL_THREADS: 'many' })).toThrow(/COFFER_SEAL_THREADS/);
  });

  describe('with a sealing thread', () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer('postgres', { COFFER_SEAL_THREADS: '1' });
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });

    it('stores small and large files that read back byte-identical', async () => {
      const u = await srv.user();
      const small = randomBytes(3_000); // stored as replicas
      const large = randomBytes(9 << 20); // several erasure-coded blocks
      expect((await upload(srv.url, u.auth, '/small.bin', small)).status).toBe(201);
      expect((await upload(srv.url, u.auth, '/large.bin', large)).status).toBe(201);
      for (const [path, bytes] of [['/small.bin', small], ['/large.bin', large]] as const) {
        const res = await download(srv.url, u.auth, path);
        expect(res.status).toBe(200);
        expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(bytes));
      }
    });
  });
});
