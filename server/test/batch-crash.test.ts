/**
 * A batch commit survives a server crash (issue 20): batches of small files are committed one
 * after another while the server is SIGKILLed at a varying moment during one of them. After the
 * restart every file of every acknowledged batch is there with its bytes (nothing acknowledged is
 * lost), and the batch the crash interrupted is either wholly there or wholly absent (it is one
 * transaction: never half visible).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { packOf } from './fixtures/pack.js';
import { startServerProcess, type Backend, type ServerProcess } from './fixtures/server-process.js';
import { sha256 } from './fixtures/sync-client.js';

const FILES = 300;
const BATCHES = 6;

for (const backend of ['pglite', 'postgres'] as Backend[]) {
  describe(`batch commits across a server crash (${backend})`, () => {
    let srv: ServerProcess | undefined;
    afterEach(async () => {
      await srv?.cleanup();
      srv = undefined;
    });

    it('SIGKILL during a batch commit: acknowledged batches all there, the interrupted one all or nothing', async () => {
      const s = await startServerProcess({ backend });
      srv = s;
      const data = Array.from({ length: BATCHES }, () => Array.from({ length: FILES }, () => randomBytes(600)));
      for (const batch of data) {
        const put = await s.call('POST', '/api/v1/blocks/pack', { body: packOf(batch.map((bytes) => ({ bytes }))), headers: { 'content-type': 'application/octet-stream' } });
        expect(put.status, put.body.toString()).toBe(200);
      }
      for (let b = 0; b < BATCHES; b++) expect((await s.call('POST', '/api/v1/mkdir', { json: { path: `/b${b}` } })).status).toBeLessThan(300);
      const itemsOf = (b: number) => data[b]!.map((d, i) => ({ path: `/b${b}/f${i}.txt`, size: d.byteLength, blocks: [{ hash: sha256(d), size: d.byteLength }], baseRev: null }));

      // The first batch is committed untouched and timed; each later one is sent with the kill
      // scheduled at a growing fraction of that time, until one is cut short.
      const acknowledged: number[] = [];
      let interrupted: number | undefined;
      let took = 0;
      for (let b = 0; b < BATCHES && interrupted === undefined; b++) {
        const t0 = Date.now();
        const commit = s.call('POST', '/api/v1/files/commit/batch', { json: { files: itemsOf(b) } }).then(
          (r) => (r.status === 200 ? 'ok' : `status ${r.status}`),
          () => 'failed',
        );
        const killAfter = b === 0 ? Infinity : b === BATCHES - 1 ? 0 : took * (0.3 + 0.2 * b);
        const timer = new Promise<'kill'>((r) => (killAfter === Infinity ? undefined : setTimeout(() => r('kill'), killAfter)));
        const first = await Promise.race([commit, timer]);
        if (first === 'ok') {
          if (b === 0) took = Date.now() - t0;
          acknowledged.push(b);
          continue;
        }
        expect(first).toBe('kill');
        await s.kill('SIGKILL');
        const outcome = await commit;
        if (outcome === 'ok') acknowledged.push(b); // answered just before the kill
        else interrupted = b;
        break;
      }
      console.log(`[batch-crash ${backend}] a batch took ${took} ms; acknowledged batches ${acknowledged.join(',') || 'none'}; interrupted ${interrupted ?? 'none'}`);
      await s.restart();

      /** The committed files of batch b's folder (every entry there, checked to be one of the batch's). */
      const committedIn = async (b: number) => {
        const list = await s.call('GET', `/api/v1/list?path=${encodeURIComponent(`/b${b}`)}&limit=1000`);
        expect(list.status).toBe(200);
        const entries = list.json().entries as { name: string; rev: number; size: number }[];
        for (const e of entries) expect(e.name, `a stray entry in /b${b}`).toMatch(/^f\d+\.txt$/);
        return entries.filter((e) => e.rev === 1 && e.size === 600).length;
      };
      for (const b of acknowledged) {
        expect(await committedIn(b), `acknowledged batch ${b}`).toBe(FILES);
        const dl = await s.call('GET', `/api/v1/download?path=${encodeURIComponent(`/b${b}/f7.txt`)}`);
        expect(dl.status).toBe(200);
        expect(Buffer.compare(dl.body, data[b]![7]!)).toBe(0);
      }
      if (interrupted !== undefined) {
        const present = await committedIn(interrupted);
        expect([0, FILES], `the interrupted batch shows ${present} of ${FILES} files`).toContain(present);
        // Sent again, it commits what is not there yet; what is there answers as existing.
        const again = await s.call('POST', '/api/v1/files/commit/batch', { json: { files: itemsOf(interrupted) } });
        expect(again.status).toBe(200);
        const results = again.json().results as { ok: boolean; error?: { code: string } }[];
        expect(results.every((r) => (present === 0 ? r.ok : r.error?.code === 'exists'))).toBe(true);
        expect(await committedIn(interrupted)).toBe(FILES);
      }
      // Batches never sent left nothing.
      for (let b = 0; b < BATCHES; b++) if (!acknowledged.includes(b) && b !== interrupted) expect(await committedIn(b)).toBe(0);
    }, 300_000);
  });
}
