/** A user cannot reach another user's file by path, id, revision, download URL or upload session. */
import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { download, putPiece, startResumable, status, upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

for (const backend of BACKENDS) {
  describe(`isolation between users (${backend})`, () => {
    const srv = useTestServer(backend);

    it('paths resolve in the caller\'s own namespace; ids, revisions, content URLs and sessions of others are 404', async () => {
      const alice = await srv.user();
      const bob = await srv.user();
      const file = (await (await upload(srv.url, alice.auth, '/secret.txt', Buffer.from('alice only'))).json()) as Json;
      await upload(srv.url, alice.auth, '/secret.txt', Buffer.from('alice v2'), '&baseRev=1');

      // By path: bob's /secret.txt is his own namespace's, where nothing is.
      expect((await download(srv.url, bob.auth, '/secret.txt')).status).toBe(404);
      expect((await fetch(`${srv.url}/api/v1/revisions?path=/secret.txt`, { headers: bob.auth })).status).toBe(404);
      // By id, revision and content URL.
      for (const url of [`/api/v1/files/${file.id}/content`, `/api/v1/files/${file.id}/content?rev=1`, `/api/v1/files/${file.id}/revisions`]) {
        const r = await fetch(`${srv.url}${url}`, { headers: bob.auth });
        expect(r.status, url).toBe(404);
        expect(await r.text()).not.toContain('alice');
      }
      const restore = await fetch(`${srv.url}/api/v1/revisions/restore`, {
        method: 'POST',
        headers: { ...bob.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ id: file.id, rev: 1 }),
      });
      expect(restore.status).toBe(404);
      // Upload sessions: bob can neither query, feed nor cancel alice's.
      const { session } = await startResumable(srv.url, alice.auth, { path: '/incoming.bin', size: 10 });
      expect((await status(session, bob.auth, 10)).status).toBe(404);
      expect((await putPiece(session, bob.auth, Buffer.from('0123456789'), 0, 10)).status).toBe(404);
      expect((await fetch(session, { method: 'DELETE', headers: bob.auth })).status).toBe(404);
      // Bob uploading to the same path makes his own file; alice's is untouched.
      expect((await upload(srv.url, bob.auth, '/secret.txt', Buffer.from('bob'))).status).toBe(201);
      expect(await (await download(srv.url, alice.auth, '/secret.txt')).text()).toBe('alice v2');
      expect(await (await download(srv.url, bob.auth, '/secret.txt')).text()).toBe('bob');
      // Alice's session still works after bob's attempts.
      expect((await putPiece(session, alice.auth, Buffer.from('0123456789'), 0, 10)).status).toBe(201);
      // Without credentials: 401 everywhere.
      for (const url of ['/api/v1/download?path=/secret.txt', `/api/v1/files/${file.id}/content`, '/api/v1/revisions?path=/secret.txt']) {
        expect((await fetch(`${srv.url}${url}`)).status, url).toBe(401);
      }
    });
  });
}
