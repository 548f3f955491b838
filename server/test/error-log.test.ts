/**
 * Database errors reach the log without their SQL parameters (error-log.ts): a unique violation
 * on a username carries the name in drizzle's message, in `params` and in PostgreSQL's detail;
 * what is logged keeps the SQLSTATE, PostgreSQL's message and the stack frames only. And a hub
 * watcher that throws is logged while the others still get the event.
 */
import { inspect } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/auth/users.js';
import { describeError, loggable } from '../src/error-log.js';
import { errorResponse } from '../src/http-errors.js';
import { publish } from '../src/sync/hub.js';
import { BACKENDS, startTestServer, type TestServer } from './fixtures/server.js';

for (const backend of BACKENDS) {
  describe(`error log (${backend})`, () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer(backend);
    }, 60_000);
    afterAll(async () => {
      await srv?.close();
    });

    it('an unexpected database error is logged with its code and message, never its parameters', async () => {
      const secret = `secret_${Date.now().toString(36)}`;
      await createUser(srv.database.db, { username: secret, password: 'correct horse battery staple' });
      const err = await createUser(srv.database.db, { username: secret, password: 'correct horse battery staple' }).catch((e: unknown) => e);
      expect(inspect(err, { depth: 10 })).toContain(secret); // what a plain console.error would have printed
      const logged: unknown[] = [];
      const a = errorResponse(err, (_m, e) => logged.push(e));
      expect(a.status).toBe(500);
      expect(logged).toHaveLength(1);
      const text = inspect(logged[0], { depth: 10 });
      expect(text).toContain('23505');
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/params|Failed query/);
      expect(describeError(err)).toMatch(/^DatabaseError: 23505: duplicate key/);
      expect(describeError(err)).not.toContain(secret);
    });

    it('leaves other errors as they are', async () => {
      const plain = new Error('plain');
      expect(loggable(plain)).toBe(plain);
      const syscall = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      expect(loggable(syscall)).toBe(syscall);
      const bad = await srv.database.db.execute(sql`select 1/0`).catch((e: unknown) => e);
      expect(describeError(bad)).toMatch(/^DatabaseError: 22012: division by zero$/);
    });

    it('a hub watcher that throws is logged; the other watchers still get the event', async () => {
      const u = await srv.user();
      const got: unknown[] = [];
      const stopBad = srv.hub.watch(u.id, {
        onEvent: () => {
          throw new Error('watcher bug');
        },
      });
      const stopGood = srv.hub.watch(u.id, { onEvent: (e) => got.push(e) });
      try {
        await publish(srv.database.db, u.id, { type: 'test', n: 1 });
        for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        expect(got).toEqual([{ type: 'test', n: 1 }]);
      } finally {
        stopBad();
        stopGood();
      }
    });
  });
}
