import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { files, journal, uploadSessions, users } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { download, putPiece, sha256, startResumable, status, storedBytes, upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`uploads (${backend})`, () => {
    const srv = useTestServer(backend);

    it('simple upload stores the bytes as revision 1, then refuses a second upload unless it names the revision or overwrites', async () => {
      const u = await srv.user();
      const data = randomBytes(3 << 20);
      const res = await upload(srv.url, u.auth, '/Report.bin', data);
      expect(res.status).toBe(201);
      const view = (await res.json()) as Json;
      expect(view).toMatchObject({ name: 'Report.bin', path: '/Report.bin', size: data.length, rev: 1, pending: false, isDir: false });
      const back = await download(srv.url, u.auth, '/report.BIN');
      expect(sha256(new Uint8Array(await back.arrayBuffer()))).toBe(sha256(data));

      const again = await upload(srv.url, u.auth, '/report.bin', randomBytes(10));
      expect(again.status).toBe(409);
      expect(((await again.json()) as Json).error).toMatchObject({ code: 'exists', details: { current: { rev: 1 } } });
      const stale = await upload(srv.url, u.auth, '/report.bin', randomBytes(10), '&baseRev=0');
      expect(stale.status).toBe(409);
      const next = await upload(srv.url, u.auth, '/report.bin', Buffer.from('v2'), '&baseRev=1');
      expect(next.status).toBe(201);
      expect(((await next.json()) as Json).rev).toBe(2);
      const over = await upload(srv.url, u.auth, '/report.bin', Buffer.from('v3'), '&overwrite=true');
      expect(((await over.json()) as Json).rev).toBe(3);
      expect(await (await download(srv.url, u.auth, '/report.bin')).text()).toBe('v3');
    });

    it('empty files, unicode names and folders as targets', async () => {
      const u = await srv.user();
      const empty = await upload(srv.url, u.auth, '/empty.txt', new Uint8Array(0));
      expect(empty.status).toBe(201);
      expect(((await empty.json()) as Json).size).toBe(0);
      const got = await download(srv.url, u.auth, '/empty.txt');
      expect(got.status).toBe(200);
      expect((await got.arrayBuffer()).byteLength).toBe(0);
      const nfd = 'Cafe\u0301 déjà.txt';
      const up = await upload(srv.url, u.auth, `/${nfd}`, Buffer.from('x'));
      expect(((await up.json()) as Json).name).toBe(nfd.normalize('NFC'));
      expect(await (await download(srv.url, u.auth, `/${nfd.normalize('NFC')}`)).text()).toBe('x');
    });

    it('refuses bad input with a reason and changes nothing', async () => {
      const u = await srv.user();
      const before = await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId));
      const cases: [string, number, string][] = [
        ['/api/v1/upload?uploadType=media&path=/a/../b', 400, 'invalid_path'],
        ['/api/v1/upload?uploadType=media&path=/nofolder/x.txt', 404, 'parent_not_found'],
        ['/api/v1/upload?uploadType=media&path=/', 409, 'root'],
        ['/api/v1/upload?uploadType=media&path=/con.txt', 400, 'invalid_path'],
        ['/api/v1/upload?uploadType=media&path=/a%01b', 400, 'invalid_path'],
        ['/api/v1/upload?uploadType=media', 400, 'invalid_request'],
        // The upload type is a query field like any other (it was 'invalid_upload_type' before the protocol).
        ['/api/v1/upload?uploadType=zip&path=/x', 400, 'invalid_request'],
        ['/api/v1/upload?uploadType=media&path=/x&baseRev=-1', 400, 'invalid_request'],
      ];
      for (const [path, code, errCode] of cases) {
        const res = await fetch(`${srv.url}${path}`, { method: 'POST', headers: u.auth, body: 'hello' });
        expect(res.status, path).toBe(code);
        const body = (await res.json()) as Json;
        expect(body.error.code, path).toBe(errCode);
        expect(body.error.message.length).toBeGreaterThan(5);
      }
      const after = await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId));
      expect(after.length).toBe(before.length);
      expect(await srv.database.db.select().from(files).where(eq(files.namespaceId, u.namespaceId))).toEqual([]);
    });

    it('answers 413 for a file over 10 GiB before taking its bytes, and 507 over quota', async () => {
      const u = await srv.user({ quotaBytes: 1 << 20 });
      const status413 = await new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(srv.url);
        const req = request({ hostname, port, method: 'POST', path: '/api/v1/upload?uploadType=media&path=/huge.bin', headers: { ...u.auth, 'content-length': String(11 * 1024 ** 3) } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
          req.destroy();
        });
        req.on('error', reject);
        req.write(Buffer.alloc(1024));
      });
      expect(status413).toBe(413);
      const r = await startResumable(srv.url, u.auth, { path: '/huge.bin', size: 11 * 1024 ** 3 });
      expect(r.res.status).toBe(413);
      expect(((await r.res.json()) as Json).error.code).toBe('file_too_large');

      const over = await upload(srv.url, u.auth, '/big.bin', randomBytes(2 << 20));
      expect(over.status).toBe(507);
      expect(((await over.json()) as Json).error).toMatchObject({ code: 'quota_exceeded', details: { quotaBytes: 1 << 20 } });
      const r2 = await startResumable(srv.url, u.auth, { path: '/big.bin', size: 2 << 20 });
      expect(r2.res.status).toBe(507);
      const fits = await upload(srv.url, u.auth, '/small.bin', randomBytes(500_000));
      expect(fits.status).toBe(201);
      const [row] = await srv.database.db.select().from(users).where(eq(users.id, u.id));
      expect(row!.usedBytes).toBe(500_000);
      // The quota is checked again at commit, whatever the client declared.
      const sneaky = await startResumable(srv.url, u.auth, { path: '/sneaky.bin' });
      const put = await putPiece(sneaky.session, u.auth, randomBytes(600_000), 0, 600_000);
      expect(put.status).toBe(507);
      expect((await srv.database.db.select().from(users).where(eq(users.id, u.id)))[0]!.usedBytes).toBe(500_000);
    });

    it('resumable: pieces of any size, 308 with the durable Range, status query, pending entry until commit', async () => {
      const u = await srv.user();
      const data = Buffer.concat([randomBytes(3 << 20), Buffer.alloc(2 << 20, 7), randomBytes(1 << 20)]);
      const { res, session } = await startResumable(srv.url, u.auth, { path: '/video.mp4', size: data.length });
      expect(res.status).toBe(200);
      expect(session).toMatch(/\/api\/v1\/upload\/sessions\/[0-9a-f-]{36}$/);
      const listed = await srv.database.db.select().from(files).where(eq(files.namespaceId, u.namespaceId));
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ name: 'video.mp4', pending: true, rev: 0 });
      expect((await download(srv.url, u.auth, '/video.mp4')).status).toBe(404);

      let at = 0;
      for (const size of [100_000, 1_500_000, 300]) {
        const r = await putPiece(session, u.auth, data.subarray(at, at + size), at, data.length);
        expect(r.status).toBe(308);
        at += size;
        expect(storedBytes(r)).toBe(at); // every byte received is durable (the tail is stored as a block)
      }
      const st = await status(session, u.auth, data.length);
      expect(st.status).toBe(308);
      expect(storedBytes(st)).toBe(at);
      // A piece that overlaps what is stored: the overlap is skipped.
      const overlap = await putPiece(session, u.auth, data.subarray(at - 1000, at + 2_000_000), at - 1000, data.length);
      expect(overlap.status).toBe(308);
      at += 2_000_000;
      expect(storedBytes(overlap)).toBe(at);
      // A gap is refused with where to resume.
      const gap = await putPiece(session, u.auth, data.subarray(at + 10, at + 20), at + 10, data.length);
      expect(gap.status).toBe(416);
      expect(storedBytes(gap)).toBe(at);
      const last = await putPiece(session, u.auth, data.subarray(at), at, data.length);
      expect(last.status).toBe(201);
      const view = (await last.json()) as Json;
      expect(view).toMatchObject({ rev: 1, size: data.length, pending: false });
      const back = Buffer.from(await (await download(srv.url, u.auth, '/video.mp4')).arrayBuffer());
      expect(sha256(back)).toBe(sha256(data));
      // The same bytes in one request give the same blocks (and so the same content hash).
      const whole = (await (await upload(srv.url, u.auth, '/copy.mp4', data)).json()) as Json;
      expect(whole.contentHash).toBe(view.contentHash);
      // After completion a status query reports it, with the file.
      const done = await status(session, u.auth, data.length);
      expect(done.status).toBe(201);
      expect(((await done.json()) as Json).id).toBe(view.id);
    });

    it('resumable with unknown size, cancel, and two uploads to one new path: the first commit wins', async () => {
      const u = await srv.user();
      const a = await startResumable(srv.url, u.auth, { path: '/race.txt' });
      const b = await startResumable(srv.url, u.auth, { path: '/race.txt' });
      expect(a.res.status).toBe(200);
      expect(b.res.status).toBe(200);
      expect((await putPiece(a.session, u.auth, Buffer.from('first '), 0, '*')).status).toBe(308);
      const bDone = await putPiece(b.session, u.auth, Buffer.from('second'), 0, 6);
      expect(bDone.status).toBe(201);
      const aDone = await putPiece(a.session, u.auth, Buffer.from('writer'), 6, 12);
      expect(aDone.status).toBe(409);
      expect(((await aDone.json()) as Json).error.details.current.rev).toBe(1);
      expect(await (await download(srv.url, u.auth, '/race.txt')).text()).toBe('second');

      const c = await startResumable(srv.url, u.auth, { path: '/gone.txt', size: 10 });
      await putPiece(c.session, u.auth, Buffer.from('12345'), 0, 10);
      const del = await fetch(c.session, { method: 'DELETE', headers: u.auth });
      expect(del.status).toBe(204);
      expect((await status(c.session, u.auth, 10)).status).toBe(404);
      const left = await srv.database.db.select().from(files).where(eq(files.namespaceId, u.namespaceId));
      expect(left.map((f) => f.name)).toEqual(['race.txt']);
      const ops = (await srv.database.db.select().from(journal).where(eq(journal.namespaceId, u.namespaceId))).map((j) => j.op);
      expect(ops).toEqual(['pending', 'create', 'pending', 'delete']); // the second session joins the pending entry
    });

    it('resumable errors: bad Content-Range, size mismatch, another user\'s session, expired session', async () => {
      const u = await srv.user();
      const other = await srv.user();
      const { session } = await startResumable(srv.url, u.auth, { path: '/x.bin', size: 100 });
      for (const cr of ['bytes 5-1/100', 'bytes 0-100/100', 'items 0-1/2', 'bytes 0-1']) {
        const r = await fetch(session, { method: 'PUT', headers: { ...u.auth, 'content-range': cr }, body: 'ab' });
        expect(r.status, cr).toBe(400);
        expect(((await r.json()) as Json).error.code).toBe('invalid_content_range');
      }
      const mism = await putPiece(session, u.auth, Buffer.from('ab'), 0, 200);
      expect(mism.status).toBe(400);
      expect(((await mism.json()) as Json).error.code).toBe('size_mismatch');
      for (const method of ['PUT', 'DELETE']) {
        const r = await fetch(session, { method, headers: { ...other.auth, 'content-range': 'bytes */100' } });
        expect(r.status).toBe(404);
      }
      const bogus = await fetch(`${srv.url}/api/v1/upload/sessions/nope`, { method: 'PUT', headers: { ...u.auth, 'content-range': 'bytes */100' } });
      expect(bogus.status).toBe(404);
      const id = session.split('/').at(-1)!;
      await srv.database.db.update(uploadSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(uploadSessions.id, id));
      const expired = await status(session, u.auth, 100);
      expect(expired.status).toBe(404);
      expect(((await expired.json()) as Json).error.code).toBe('session_expired');
      expect(await srv.database.db.select().from(files).where(eq(files.namespaceId, u.namespaceId))).toEqual([]);
    });
  });
}
