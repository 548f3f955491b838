/**
 * A password-protected link refuses 20 wrong passwords (each answered like a missing link), then
 * rate-limits: 429 `link_locked` with Retry-After, even for the right password, so a password
 * cannot be guessed online. Another link stays usable meanwhile. Requests are limited per address
 * and per link whatever they ask.
 */
import { describe, expect, it } from 'vitest';
import { LinkGuard } from '../src/links/guard.js';
import { HttpError } from '../src/http-errors.js';
import { useTestServer } from './fixtures/server.js';
import { linkFetch, makeLink } from './fixtures/links.js';
import { upload } from './fixtures/transfer.js';

describe('link passwords', () => {
  const srv = useTestServer('postgres');

  it('20 wrong passwords answer 404, the 21st attempt and the right password 429 link_locked', async () => {
    const owner = await srv.user();
    await upload(srv.url, owner.auth, '/vault.txt', Buffer.from('gold'));
    await upload(srv.url, owner.auth, '/open.txt', Buffer.from('open'));
    const { token } = await makeLink(srv.url, owner.auth, { path: '/vault.txt', password: 'right one' });
    const { token: other } = await makeLink(srv.url, owner.auth, { path: '/open.txt' });

    expect((await linkFetch(srv.url, token, '/download', { password: 'right one' })).status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const r = await linkFetch(srv.url, token, '/download', { password: `guess ${i}` });
      expect(r.status, `guess ${i}`).toBe(404);
    }
    for (const password of ['guess 21', 'right one']) {
      const r = await linkFetch(srv.url, token, '/download', { password });
      expect(r.status, password).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('link_locked');
    }
    expect((await linkFetch(srv.url, other, '/download')).status).toBe(200);
  }, 60_000);
});

describe('link request limits', () => {
  const limits = { perAddress: 5, perLink: 8, wrongPasswords: 20, passwordWindowMs: 60_000 };
  const statusOf = (f: () => void) => {
    try {
      f();
      return 200;
    } catch (err) {
      return err instanceof HttpError ? err.status : 500;
    }
  };
  const token = (c: string) => c.repeat(43);

  it('an address gets perAddress requests a minute over all links, a link perLink from all addresses', () => {
    const guard = new LinkGuard(limits);
    const fromOne = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => statusOf(() => guard.request(token(c), '10.0.0.1')));
    expect(fromOne).toEqual([200, 200, 200, 200, 200, 429]);
    // Junk tokens count against the address too.
    expect(statusOf(() => guard.request('junk', '10.0.0.1'))).toBe(429);
    const toOne = Array.from({ length: 9 }, (_, i) => statusOf(() => guard.request(token('z'), `10.0.1.${i}`)));
    expect(toOne).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    expect(statusOf(() => guard.request(token('y'), '10.0.2.1'))).toBe(200);
  });
});
