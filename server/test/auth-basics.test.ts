import { describe, expect, it } from 'vitest';
import { BACKENDS, useTestServer } from './fixtures/server.js';

for (const backend of BACKENDS) {
  describe(`bearer authentication (${backend})`, () => {
    const srv = useTestServer(backend);

    it('knows the caller by a bearer token, and refuses missing or unknown tokens with a reason', async () => {
      const u = await srv.user();
      const me = await fetch(`${srv.url}/api/v1/me`, { headers: u.auth });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { username: string }).username).toBe(u.username);

      const none = await fetch(`${srv.url}/api/v1/me`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/sign in/);
      const bad = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: 'Bearer cof_nope' } });
      expect(bad.status).toBe(401);
    });
  });
}
