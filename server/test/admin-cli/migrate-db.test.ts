/**
 * coffer-admin migrate-db: an embedded install with 1,000 files (bulk-loaded with coffer-admin
 * import), revisions, a share and a public link moves to PostgreSQL; the server restarted on
 * PostgreSQL serves every file byte-identical with its history, the share and the link, and the
 * old embedded database refuses to be used again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { freshPostgresDatabase } from '../fixtures/postgres.js';
import { startServerProcess, type ServerProcess } from '../fixtures/server-process.js';
import { admin, adminEnv, download, runAdmin, upload } from './admin-harness.js';

const FOLDERS = 10;
const PER_FOLDER = 100;

describe('coffer-admin migrate-db', () => {
  let srv: ServerProcess | undefined;
  let tmp: TempDir | undefined;
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
  afterAll(async () => {
    await srv?.cleanup();
    await tmp?.remove();
    await pg?.drop();
  });

  it('moves an embedded install with 1,000 files, revisions and shares to PostgreSQL', async () => {
    srv = await startServerProcess({ backend: 'pglite', admin: true });
    await srv.kill('SIGTERM');
    tmp = await makeTempDir('coffer-migrate-');
    const src = join(tmp.path, 'tree');
    const want = new Map<string, string>();
    for (let d = 0; d < FOLDERS; d++) {
      await mkdir(join(src, `d${d}`), { recursive: true });
      for (let f = 0; f < PER_FOLDER; f++) {
        const text = `folder ${d} file ${f}\n`.repeat(1 + ((d * PER_FOLDER + f) % 37));
        await writeFile(join(src, `d${d}`, `f${f}.txt`), text);
        want.set(`/bulk/d${d}/f${f}.txt`, text);
      }
    }
    const env = adminEnv(srv);
    expect(await admin(['import', src, '--user', srv.username, '--to', '/bulk'], env)).toMatch(/imported 1000 files/);

    await srv.restart();
    const history = ['second revision\n', 'third revision\n'];
    for (const text of history) await upload(srv, '/bulk/d0/f0.txt', Buffer.from(text), true);
    const share = await srv.call('POST', '/api/v1/shares', { headers: srv.auth, json: { path: '/bulk/d1', user: `${srv.username}_admin`, role: 'viewer' } });
    expect(share.status, share.body.toString()).toBe(201);
    const link = await srv.call('POST', '/api/v1/links', { headers: srv.auth, json: { path: '/bulk/d2/f5.txt' } });
    expect(link.status, link.body.toString()).toBe(201);
    await srv.kill('SIGTERM');

    pg = await freshPostgresDatabase();
    const bad = await runAdmin(['migrate-db', '--to', 'mysql://nope'], env);
    expect(bad.code).toBe(2);
    const envFile = join(tmp.path, '.env');
    await writeFile(envFile, 'COFFER_PUBLIC_URL=https://drive.example.com\nDATABASE_URL=\n');
    const moved = await admin(['migrate-db', '--to', pg.url, '--env-file', envFile], env);
    expect(moved).toMatch(/copied \d+ rows of \d+ tables: 2 users, 1011 files and folders/);
    expect(await readFile(envFile, 'utf8')).toBe(`COFFER_PUBLIC_URL=https://drive.example.com\nDATABASE_URL=${pg.url}\n`);
    // The embedded copy no longer opens: not for coffer-admin, not for a server started without DATABASE_URL.
    const stale = await runAdmin(['users'], env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('moved to PostgreSQL');

    await srv.restart({ DATABASE_URL: pg.url });
    want.set('/bulk/d0/f0.txt', history[1]!);
    for (const [path, text] of want) {
      const body = await download(srv, path);
      expect(createHash('sha256').update(body).digest('hex'), path).toBe(createHash('sha256').update(text).digest('hex'));
    }
    expect(srv.output().split('metadata: ').at(-1)).toMatch(/^postgres/);
    expect((await download(srv, '/bulk/d0/f0.txt', 2)).toString()).toBe(history[0]);
    expect((await download(srv, '/bulk/d0/f0.txt', 1)).toString()).toBe(`folder 0 file 0\n`);
    const shares = await srv.call('GET', '/api/v1/shares?direction=outgoing', { headers: srv.auth });
    expect(JSON.stringify(shares.json())).toContain('/bulk/d1');
    const links = await srv.call('GET', '/api/v1/links', { headers: srv.auth });
    expect(JSON.stringify(links.json())).toContain('f5.txt');
    // Writes go on, on PostgreSQL (the sequences came along).
    await upload(srv, '/after.txt', Buffer.from('written after the move'));
    expect((await download(srv, '/after.txt')).toString()).toBe('written after the move');
    // And the admin command follows the configuration to PostgreSQL.
    await srv.kill('SIGTERM');
    expect(await admin(['verify'], { ...env, DATABASE_URL: pg.url })).toMatch(/checking 1001 files, 1003 versions/);
  }, 900_000);
});
