/**
 * coffer-admin backup and restore (README "Back up and restore"): a running server, on PostgreSQL
 * and on the embedded database, backed up; its database and keys wiped; the backup restored; every
 * file (and an older revision) read back through the restarted server, byte-identical. Also: the
 * S3 target, a wrong passphrase, a second restore onto a non-empty database.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3Cluster, type LocalS3Cluster } from '@coffer/test-support/s3-nodes';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { readBackupFile } from '../../src/admin-cli/backup-format.js';
import { codeMigrations } from '../../src/admin-cli/migrations.js';
import { startServerProcess, type ServerProcess } from '../fixtures/server-process.js';
import { admin, adminEnv, download, runAdmin, upload } from './admin-harness.js';

const PASSPHRASE = 'a long passphrase for the backups';

/** A few files of assorted sizes (one of several blocks) and a second revision of one. */
async function seed(srv: ServerProcess): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const sizes = [0, 1, 1000, 70_000, 200_000, 1536 * 1024 + 17];
  for (const [i, size] of sizes.entries()) files.set(`/f${i}.bin`, randomBytes(size));
  files.set('/notes.txt', Buffer.from('first version\n'.repeat(100)));
  for (const [p, b] of files) await upload(srv, p, b);
  const second = Buffer.from('second version\n'.repeat(120));
  await upload(srv, '/notes.txt', second, true);
  files.set('/notes.txt#1', files.get('/notes.txt')!);
  files.set('/notes.txt', second);
  return files;
}

async function readAll(srv: ServerProcess, files: Map<string, Buffer>): Promise<void> {
  for (const [key, bytes] of files) {
    const [path, rev] = key.split('#');
    const got = await download(srv, path!, rev ? Number(rev) : undefined);
    expect(got.equals(bytes), `${key} differs`).toBe(true);
  }
}

async function wipe(srv: ServerProcess): Promise<void> {
  await rm(join(srv.dataDir, 'keys'), { recursive: true, force: true });
  if (srv.databaseUrl) {
    const sql = postgres(srv.databaseUrl, { max: 1, onnotice: () => {} });
    await sql.unsafe('drop schema if exists drizzle cascade; drop schema public cascade; create schema public');
    await sql.end();
  } else {
    await rm(join(srv.dataDir, 'pglite'), { recursive: true, force: true });
  }
}

describe.each((process.env.ADMIN_BACKENDS?.split(',') ?? ['pglite', 'postgres']) as ('pglite' | 'postgres')[])('backup and restore on %s', (backend) => {
  let srv: ServerProcess | undefined;
  let tmp: TempDir | undefined;
  let cluster: LocalS3Cluster | undefined;
  afterAll(async () => {
    await srv?.cleanup();
    await tmp?.remove();
    await cluster?.stopAll();
  });

  it('backs up a running server, restores after the database and keys are lost, and every file reads back', async () => {
    srv = await startServerProcess({ backend });
    tmp = await makeTempDir('coffer-backup-');
    const pass = join(tmp.path, 'passphrase');
    await writeFile(pass, PASSPHRASE + '\n', { mode: 0o600 });
    const files = await seed(srv);
    const env = adminEnv(srv);
    const file = join(tmp.path, 'coffer.age');

    const out = await admin(['backup', '--to', file, '--passphrase-file', pass], env);
    expect(out).toContain('backup written to');
    if (backend === 'pglite') expect(out).toContain('from the running server');
    // The manifest records how far the schema is (a restore by older code is refused on it).
    const manifest = await readBackupFile(file, PASSPHRASE, join(tmp.path, 'dump.check'));
    expect(manifest.database.migrations).toBe(await codeMigrations());
    let s3: string | undefined;
    if (backend === 'postgres') {
      cluster = await startS3Cluster({ count: 1 });
      s3 = `http://S3RVER:S3RVER@127.0.0.1:${cluster.nodes[0]!.port}`;
      await admin(['backup', '--to', 's3://backups/coffer.age', '--s3-endpoint', s3, '--passphrase-file', pass], env);
    }
    // Written after the backup: not in it.
    await upload(srv, '/later.txt', Buffer.from('after the backup'));

    await srv.kill('SIGTERM');
    await wipe(srv);

    const wrong = join(tmp.path, 'wrong');
    await writeFile(wrong, 'not the passphrase at all\n');
    const refused = await runAdmin(['restore', file, '--passphrase-file', wrong], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('wrong passphrase');

    const restored = await admin(s3 ? ['restore', 's3://backups/coffer.age', '--s3-endpoint', s3, '--passphrase-file', pass] : ['restore', file, '--passphrase-file', pass], env);
    expect(restored).toMatch(/restored the backup of .*: \d+ users/);
    // A database with users in it is not overwritten without --force.
    const again = await runAdmin(['restore', file, '--passphrase-file', pass], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/holds/);

    await srv.restart();
    await readAll(srv, files);
    const later = await srv.call('GET', `/api/v1/download?path=${encodeURIComponent('/later.txt')}`, { headers: srv.auth });
    expect(later.status).toBe(404);
  }, 600_000);
});
