/**
 * The one commit path of every upload flow (uploads/commit.ts): content committed into someone
 * else's files — what a share will allow — tells the owner, whether it lands on a new name (which
 * then skips the one-statement first commit), replaces a file, or ends a session (path read at
 * commit); the uploader's own commits tell no one. Driven from the services, as no route can
 * reach another user's namespace yet.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../src/auth/context.js';
import { notifications } from '../src/db/schema.js';
import { commitContent, commitUpload } from '../src/uploads/commit.js';
import { resolveTarget } from '../src/uploads/target.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';

for (const backend of BACKENDS) {
  describe(`one commit path (${backend})`, () => {
    const srv = useTestServer(backend);

    const people = async () => {
      const [o, x] = [await srv.user(), await srv.user()];
      const as = (u: typeof o): AuthUser => ({ id: u.id, username: u.username, role: 'user', namespaceId: u.namespaceId, tokenKind: 'device', mustChangePassword: false });
      return { owner: as(o), other: as(x) };
    };
    const stored = (namespaceId: string, text: string) =>
      srv.storage.files.write(
        namespaceId,
        (async function* () {
          yield Buffer.from(text);
        })(),
      );
    const inbox = (userId: string) => srv.database.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, 'edit')));

    it("tells the owner of another user's commit, on a new name, a replaced file and a session's entry", async () => {
      const db = srv.database.db;
      const { owner, other } = await people();
      const rule = { baseRev: null, overwrite: false };

      // A new name in the owner's files: the general path (the one-statement commit tells no one).
      const fresh = await commitUpload(db, { user: other, target: await resolveTarget(db, owner, '/theirs.txt'), content: await stored(owner.namespaceId, 'one'), rule });
      expect(fresh.row).toMatchObject({ namespaceId: owner.namespaceId, rev: 1 });
      // Replacing it.
      const again = await commitUpload(db, { user: other, target: await resolveTarget(db, owner, '/theirs.txt'), content: await stored(owner.namespaceId, 'two'), rule: { baseRev: 1, overwrite: false } });
      expect(again.row.rev).toBe(2);
      // A session's entry, whose path the commit reads.
      const content = await stored(owner.namespaceId, 'three');
      const last = await db.transaction((tx) => commitContent(tx, { user: other, fileId: fresh.row.id, content, rule: { baseRev: 2, overwrite: false } }));
      expect(last.rev).toBe(3);

      const told = await inbox(owner.id);
      expect(told.map((n) => n.payload)).toEqual([1, 2, 3].map((rev) => expect.objectContaining({ path: '/theirs.txt', name: 'theirs.txt', rev, by: expect.objectContaining({ id: other.id }) })));
      expect(await inbox(other.id)).toEqual([]);
    });

    it("the owner's own commits tell no one, through the one-statement first commit and the general path", async () => {
      const db = srv.database.db;
      const { owner } = await people();
      const mine = await commitUpload(db, { user: owner, target: await resolveTarget(db, owner, '/mine.txt'), content: await stored(owner.namespaceId, 'one'), rule: { baseRev: null, overwrite: false } });
      await commitUpload(db, { user: owner, target: await resolveTarget(db, owner, '/mine.txt'), content: await stored(owner.namespaceId, 'two'), rule: { baseRev: mine.row.rev, overwrite: false } });
      expect(await inbox(owner.id)).toEqual([]);
    });
  });
}
