/**
 * One boot, one shutdown order (boot/server.ts). In this process: closing answers a waiting long
 * poll and closes a websocket, writes the batched last-access times, and lets the embedded
 * database be opened again. As `npm start` (main.ts): SIGTERM ends the process on its own — no
 * handle left open, no forced exit — with the last-access times of its reads written.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { issueToken } from '../src/auth/tokens.js';
import { createUser } from '../src/auth/users.js';
import { startServer } from '../src/boot/server.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, rowsOf } from '../src/db/open.js';
import { startServerProcess } from './fixtures/server-process.js';
import { EventsClient } from './fixtures/sync-devices.js';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { download, upload } from './fixtures/transfer.js';

const LONG_AGO = '2001-01-01T00:00:00Z';
const ready = (b: string) => new Date(b).getTime() > new Date(LONG_AGO).getTime();

describe('startServer and close', () => {
  const dir = useTempDir('coffer-shutdown-');

  it('answers long polls, closes websockets, writes last-access times, then closes the database', async () => {
    const config = loadConfig({ COFFER_DATA_DIR: dir(), COFFER_HOST: '127.0.0.1', COFFER_PORT: '0', COFFER_PLAIN_HTTP: '1' });
    const server = await startServer(config);
    let closed = false;
    try {
      const db = server.database.db;
      const user = await createUser(db, { username: 'closer', password: 'correct horse battery staple' });
      const auth = { authorization: `Bearer ${(await issueToken(db, user.id, 'device')).token}` };
      expect((await upload(server.url, auth, '/kept.txt', Buffer.from('read me before the shutdown'))).status).toBe(201);
      // Stored a moment ago: make it look long unread, then read it (the touch is batched for a minute).
      await db.execute(sql`update blocks set last_access = ${LONG_AGO}::timestamptz`);
      expect(await (await download(server.url, auth, '/kept.txt')).text()).toBe('read me before the shutdown');

      const { cursor } = (await (await fetch(`${server.url}/api/v1/changes/latest`, { headers: auth })).json()) as { cursor: number };
      const poll = fetch(`${server.url}/api/v1/changes/longpoll?cursor=${cursor}&timeout=90`, { headers: auth }).then((r) => r.json());
      const socket = await EventsClient.open(server.url, auth.authorization.slice(7));
      const socketClosed = new Promise<number>((r) => socket.ws.once('close', (code) => r(code)));
      await new Promise((r) => setTimeout(r, 200)); // the long poll is waiting on the hub by now

      await server.close();
      closed = true;
      expect(await poll).toEqual({ changes: false });
      expect(await socketClosed).toBe(1001);
    } finally {
      if (!closed) await server.close();
    }

    // The embedded database is free again, and holds what the engine had batched.
    const again = await openDatabase({ dataDir: config.dataDir });
    try {
      const rows = rowsOf<{ last_access: string | Date }>(await again.db.execute(sql`select last_access from blocks`));
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(ready(String(r.last_access instanceof Date ? r.last_access.toISOString() : r.last_access))).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('a boot that fails half-way closes what it opened', async () => {
    // Port taken: the listener fails after the database, storage and hub were started.
    const first = await startServer(loadConfig({ COFFER_DATA_DIR: `${dir()}/a`, COFFER_HOST: '127.0.0.1', COFFER_PORT: '0', COFFER_PLAIN_HTTP: '1' }));
    try {
      const taken = loadConfig({ COFFER_DATA_DIR: `${dir()}/b`, COFFER_HOST: '127.0.0.1', COFFER_PORT: String(first.port), COFFER_PLAIN_HTTP: '1' });
      await expect(startServer(taken)).rejects.toThrow(/EADDRINUSE/);
      // Its embedded database was closed (and unlocked): it opens again.
      const reopened = await openDatabase({ dataDir: taken.dataDir });
      await reopened.close();
    } finally {
      await first.close();
    }
  });
});

describe('npm start and SIGTERM', () => {
  it('exits on its own with code 0, having written the last-access times of its reads', async () => {
    const proc = await startServerProcess({ backend: 'postgres' });
    const sqlc = postgres(proc.databaseUrl!, { max: 1, onnotice: () => {} });
    try {
      expect((await proc.call('POST', '/api/v1/upload?uploadType=media&path=/kept.txt', { body: 'read me before the shutdown' })).status).toBe(201);
      await sqlc`update blocks set last_access = ${LONG_AGO}::timestamptz`;
      expect((await proc.call('GET', '/api/v1/download?path=/kept.txt')).body.toString()).toBe('read me before the shutdown');
      // A keep-alive connection stays open to the server meanwhile (the fixture's agent pools it).
      const exit = await proc.kill('SIGTERM');
      expect(exit, proc.output()).toEqual({ code: 0, signal: null });
      expect(proc.output()).toContain('Coffer stopped');
      const rows = await sqlc<{ last_access: Date }[]>`select last_access from blocks`;
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.last_access.getTime()).toBeGreaterThan(new Date(LONG_AGO).getTime());
    } finally {
      await sqlc.end();
      await proc.cleanup();
    }
  });
});
