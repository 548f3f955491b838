/**
 * Token lookups on both backends, the embedded one answering from memory after the first time
 * (db/token-cache.ts): every change that can end or alter a token's match bites on the very next
 * lookup — a revocation, the token's device or user deleted, the user disabled, demoted or renamed,
 * an expiry set or reached — and a touch keeps "last used" current without reading again.
 */
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDevice, deleteDevice } from '../src/auth/devices.js';
import { issueToken, lookupToken, revokeToken, touchToken } from '../src/auth/tokens.js';
import { createUser } from '../src/auth/users.js';
import { authTokens, users } from '../src/db/schema.js';
import { useTestDatabase } from './fixtures/database.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of ['postgres', 'pglite'] as const) {
  describe(`token lookups on ${backend}`, () => {
    const testDatabase = useTestDatabase(backend);
    let n = 0;

    async function signedIn() {
      const { db, tokens } = testDatabase();
      const user = await createUser(db, { username: `t${++n}_${backend}`, password: 'correct horse battery staple' });
      const deviceId = await createDevice(db, user.id, { name: 'laptop', kind: 'desktop' });
      const { token, id } = await issueToken(db, user.id, 'device', { deviceId });
      // Looked up once, so the embedded database remembers it.
      expect((await lookupToken({ db, tokens }, token))?.user).toMatchObject({ id: user.id, role: 'user', deviceId, tokenKind: 'device' });
      return { db, tokens, user, deviceId, token, tokenId: id };
    }

    it('a revoked token, or one whose device or user is gone, stops working at once', async () => {
      const a = await signedIn();
      await revokeToken(a.db, a.token);
      expect(await lookupToken(a, a.token)).toBeUndefined();

      const b = await signedIn();
      await deleteDevice(b.db, b.user.id, b.deviceId);
      expect(await lookupToken(b, b.token)).toBeUndefined();

      const c = await signedIn();
      await c.db.delete(users).where(eq(users.id, c.user.id));
      expect(await lookupToken(c, c.token)).toBeUndefined();
    });

    it('a disabled, demoted or renamed user is seen as such on the next lookup', async () => {
      const a = await signedIn();
      await a.db.update(users).set({ role: 'admin' }).where(eq(users.id, a.user.id));
      expect((await lookupToken(a, a.token))?.user.role).toBe('admin');
      await a.db.update(users).set({ role: 'user', username: `${a.user.username}_renamed` }).where(eq(users.id, a.user.id));
      expect((await lookupToken(a, a.token))?.user).toMatchObject({ role: 'user', username: `${a.user.username}_renamed` });
      await a.db.update(users).set({ mustChangePassword: true }).where(eq(users.id, a.user.id));
      expect((await lookupToken(a, a.token))?.user.mustChangePassword).toBe(true);
      await a.db.update(users).set({ disabled: true }).where(eq(users.id, a.user.id));
      expect(await lookupToken(a, a.token)).toBeUndefined();
      // Quota usage changes with every upload and decides nothing here.
      await a.db.update(users).set({ disabled: false, usedBytes: 5 }).where(eq(users.id, a.user.id));
      expect((await lookupToken(a, a.token))?.user.id).toBe(a.user.id);
    });

    it('an expiry set meanwhile, or reached, ends the token', async () => {
      const a = await signedIn();
      await a.db.update(authTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(authTokens.id, a.tokenId));
      expect(await lookupToken(a, a.token)).toBeUndefined();

      const b = await signedIn();
      const short = await issueToken(b.db, b.user.id, 'session', { ttlMs: 400 });
      expect((await lookupToken(b, short.token))?.user.tokenKind).toBe('session');
      await sleep(500);
      expect(await lookupToken(b, short.token)).toBeUndefined();
    });

    it('the kind asked for still decides, and a touch is seen by the next lookup', async () => {
      const a = await signedIn();
      expect(await lookupToken(a, a.token, ['app_password'])).toBeUndefined();
      const match = (await lookupToken(a, a.token))!;
      expect(match.lastUsedAt).toBeNull();
      await touchToken(a, match);
      const after = (await lookupToken(a, a.token))!;
      const [stored] = await a.db.select({ at: authTokens.lastUsedAt }).from(authTokens).where(eq(authTokens.id, a.tokenId));
      expect(after.lastUsedAt?.getTime()).toBe(stored!.at!.getTime());
    });
  });
}
