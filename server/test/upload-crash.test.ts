/**
 * A resumable upload survives a server crash (DESIGN §3 "resumable upload", §7 invariant 1):
 * the server is SIGKILLed in the middle of a PUT of a 300 MiB file, restarted on the same data
 * directory and database, asked how far it got (a `Content-Range` of `bytes *` over N, empty body), and the upload
 * resumes from its answer to a byte-identical file. At every step — including right after the
 * restart — the entry shows rev 0 / pending and no revision: no partial version is ever visible.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { generated, sha256OfGenerated } from './fixtures/data.js';
import { startServerProcess, type Backend, type ServerProcess } from './fixtures/server-process.js';

const MiB = 1024 * 1024;
const SIZE = 300 * MiB;
const PIECE = 32 * MiB;
const KILL_AT = 120 * MiB;

/** k from `Range: bytes=0-(k-1)`; no header means nothing stored yet. */
function storedFrom(range: string | string[] | undefined): number {
  if (range === undefined) return 0;
  const m = /^bytes=0-(\d+)$/.exec(String(range));
  if (!m) throw new Error(`unexpected Range header on 308: ${range}`);
  return Number(m[1]) + 1;
}

for (const backend of ['pglite', 'postgres'] as Backend[]) {
  describe(`resumable upload across a server crash (${backend})`, () => {
    let srv: ServerProcess | undefined;
    afterEach(async () => {
      await srv?.cleanup();
      srv = undefined;
    });

    it('resumes a 300 MiB upload after SIGKILL mid-PUT from the server’s answer, byte-identical, never showing a partial version', async () => {
      const seed = `crash-${backend}`;
      const path = `/crash-${backend}.bin`;
      const q = `path=${encodeURIComponent(path)}`;
      const started = Date.now();
      const [expected, s] = await Promise.all([sha256OfGenerated(seed, SIZE), startServerProcess({ backend })]);
      srv = s;
      const log = (what: string) => console.log(`[upload-crash ${backend}] ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
      log('server up');

      /** The entry exists with no committed content and no revision is listed. */
      async function expectNoVersion(when: string) {
        const meta = await s.call('GET', `/api/v1/metadata?${q}`);
        expect(meta.status, `${when}: metadata ${meta.body}`).toBe(200);
        const view = meta.json();
        expect({ when, rev: view.rev, pending: view.pending, isDir: view.isDir, contentHash: view.contentHash }).toEqual({
          when,
          rev: 0,
          pending: true,
          isDir: false,
          contentHash: null,
        });
        const revs = await s.call('GET', `/api/v1/revisions?${q}`);
        expect(revs.status, `${when}: revisions ${revs.body}`).toBe(200);
        expect(revs.json().revisions, when).toEqual([]);
        const dl = await s.call('GET', `/api/v1/download?${q}`);
        expect([200, 206], `${when}: a download must not serve partial content`).not.toContain(dl.status);
      }

      // Watch the entry the whole time from the side, as another device would (errors while the
      // server is down are expected): until the last piece is sent, only rev 0 may ever be seen.
      const seen: string[] = [];
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          const meta = await s.call('GET', `/api/v1/metadata?${q}`).catch(() => undefined);
          if (meta?.status === 200 && watching) {
            const v = meta.json();
            if (v.rev !== 0 || !v.pending) seen.push(`rev ${v.rev} pending ${v.pending} size ${v.size}`);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      })();

      const start = await s.call('POST', '/api/v1/upload?uploadType=resumable', { json: { path, size: SIZE } });
      expect(start.status, String(start.body)).toBe(200);
      const location = start.headers.location;
      expect(location).toMatch(/\/api\/v1\/upload\/sessions\/[^/]+$/);
      const session = new URL(location!, s.url).pathname;
      await expectNoVersion('after the session started');

      // Pieces of 32 MiB, each acknowledged with 308 + how far the server has durably stored.
      let acked = 0;
      while (acked + PIECE <= KILL_AT) {
        const end = acked + PIECE;
        const res = await s.call('PUT', session, {
          headers: { 'content-range': `bytes ${acked}-${end - 1}/${SIZE}`, 'content-length': String(PIECE) },
          body: generated(seed, acked, end),
        });
        expect(res.status, String(res.body)).toBe(308);
        const k = storedFrom(res.headers.range);
        expect(k).toBeGreaterThan(acked);
        expect(k).toBeLessThanOrEqual(end);
        acked = k;
        await expectNoVersion(`after a piece, ${acked} bytes stored`);
      }
      log(`${acked / MiB} MiB acknowledged; sending the next piece and killing the server after ${KILL_AT / MiB} MiB`);

      // The piece during which the server dies: SIGKILL once KILL_AT bytes have gone out.
      const pieceEnd = Math.min(acked + PIECE, SIZE);
      async function* dying() {
        let pos = acked;
        for await (const b of generated(seed, acked, pieceEnd)) {
          yield b;
          pos += b.length;
          if (pos >= KILL_AT) {
            await s.kill('SIGKILL');
            return;
          }
        }
      }
      const crashed = await s
        .call('PUT', session, {
          headers: { 'content-range': `bytes ${acked}-${pieceEnd - 1}/${SIZE}`, 'content-length': String(pieceEnd - acked) },
          body: dying(),
        })
        .then(
          (r) => `answered ${r.status}`,
          (e: Error) => `failed: ${e.message}`,
        );
      log(`server killed mid-PUT (the client saw: ${crashed})`);
      expect(crashed).not.toBe('answered 201');

      await s.restart();
      log('restarted');
      await expectNoVersion('right after the restart');

      // Ask the server how far it got; everything it acknowledged before the crash must still be there.
      const status = await s.call('PUT', session, { headers: { 'content-range': `bytes */${SIZE}`, 'content-length': '0' } });
      expect(status.status, String(status.body)).toBe(308);
      let k = storedFrom(status.headers.range);
      expect(k).toBeGreaterThanOrEqual(acked);
      expect(k).toBeLessThanOrEqual(KILL_AT);
      log(`server reports ${k} bytes stored (${(k / MiB).toFixed(2)} MiB); resuming from there`);

      let final: any;
      while (k < SIZE) {
        const end = Math.min(k + PIECE, SIZE);
        if (end === SIZE) watching = false; // from here the commit may become visible
        const res = await s.call('PUT', session, {
          headers: { 'content-range': `bytes ${k}-${end - 1}/${SIZE}`, 'content-length': String(end - k) },
          body: generated(seed, k, end),
        });
        if (end < SIZE) {
          expect(res.status, String(res.body)).toBe(308);
          const next = storedFrom(res.headers.range);
          expect(next).toBeGreaterThan(k);
          k = next;
          await expectNoVersion(`after a resumed piece, ${k} bytes stored`);
        } else {
          expect(res.status, String(res.body)).toBe(201);
          final = res.json();
          k = SIZE;
        }
      }
      watching = false;
      await watcher;
      expect(seen, 'a version was visible before the upload completed').toEqual([]);
      expect(final).toMatchObject({ path, isDir: false, size: SIZE, rev: 1, pending: false });
      log('committed');

      // Asking the status after the commit answers 201 with the committed file (API.md), not 308.
      const after = await s.call('PUT', session, { headers: { 'content-range': `bytes */${SIZE}`, 'content-length': '0' } });
      expect(after.status, String(after.body)).toBe(201);
      expect(after.json()).toMatchObject({ id: final.id, rev: 1, size: SIZE, contentHash: final.contentHash });

      const res = await s.stream('GET', `/api/v1/download?${q}`);
      expect(res.statusCode).toBe(200);
      const h = createHash('sha256');
      let n = 0;
      for await (const b of res) {
        h.update(b as Buffer);
        n += (b as Buffer).length;
      }
      expect(n).toBe(SIZE);
      expect(h.digest('hex')).toBe(expected);

      const revs = await s.call('GET', `/api/v1/revisions?${q}`);
      expect(revs.json().revisions.map((r: { rev: number; size: number }) => [r.rev, r.size])).toEqual([[1, SIZE]]);
      log('downloaded, byte-identical');
    }, 600_000);
  });
}
