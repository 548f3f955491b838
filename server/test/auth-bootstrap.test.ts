/** First boot: the first admin is created once, race-safely, and `npm start` prints its password. */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapAdmin } from '../src/auth/bootstrap.js';
import { userByName } from '../src/auth/users.js';
import { users } from '../src/db/schema.js';
import { BACKENDS, useTestServer } from './fixtures/server.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

for (const backend of BACKENDS) {
  describe(`first-admin bootstrap (${backend})`, () => {
    const srv = useTestServer(backend);

    const login = (username: string, password: string) =>
      fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

    it('creates one admin on an empty database, even when two boots race, and nothing afterwards', async () => {
      const db = srv.database.db;
      // The test server's own boot made one already, as `npm start` does: empty the table again.
      expect(await db.select().from(users)).toMatchObject([{ username: 'admin', role: 'admin' }]);
      await db.delete(users);
      const results = await Promise.all([bootstrapAdmin(db, {}), bootstrapAdmin(db, {})]);
      const made = results.filter((r) => r !== undefined);
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ username: 'admin', generated: true });
      expect(made[0]!.password.length).toBeGreaterThanOrEqual(20);
      expect(await bootstrapAdmin(db, {})).toBeUndefined();
      expect(await db.select().from(users)).toHaveLength(1);

      const res = await login('admin', made[0]!.password);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { user: unknown }).user).toMatchObject({ role: 'admin', mustChangePassword: true });
    });

    it('takes the password from COFFER_ADMIN_PASSWORD, without forcing a change', async () => {
      const db = srv.database.db;
      await db.delete(users);
      const made = await bootstrapAdmin(db, { adminPassword: 'chosen by the operator' });
      expect(made).toEqual({ username: 'admin', password: 'chosen by the operator', generated: false });
      expect((await userByName(db, 'admin'))?.mustChangePassword).toBe(false);
      expect((await login('admin', 'chosen by the operator')).status).toBe(200);
    });
  });
}

describe('npm start on an empty data directory', () => {
  const dir = useTempDir('coffer-auth-boot-');
  let proc: ChildProcess | undefined;
  afterAll(() => {
    proc?.kill('SIGKILL');
  });

  it('prints the first admin password once, and it signs in', async () => {
    proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      // An empty setting counts as unset (as `COFFER_ADMIN_PASSWORD=` in an env file would be).
      env: { ...process.env, COFFER_DATA_DIR: dir(), COFFER_PORT: '0', COFFER_HOST: '127.0.0.1', COFFER_ADMIN_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stderr!.on('data', (d) => (out += d));
    const [url, password] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing printed: ${out}`)), 50_000);
      proc!.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code}: ${out}`));
      });
      proc!.stdout!.on('data', (d) => {
        out += d;
        const u = /listening on (https:\/\/[^\s"]+)/.exec(out);
        const p = /first admin: username admin, password (\S+) \(shown once; change it after signing in\)/.exec(out);
        if (u && p) {
          clearTimeout(timer);
          resolve([u[1]!, p[1]!]);
        }
      });
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/api/v1/auth/login`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'admin', password }));
    });
    expect(status).toBe(200);
  }, 60_000);
});
