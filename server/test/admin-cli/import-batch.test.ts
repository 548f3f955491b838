/**
 * coffer-admin import commits through the batch commit's transaction (issue 20): 700 small files
 * land in two transactions (every version of one transaction has its start time as created_at),
 * byte-identical; a file over the user's quota is refused alone and the rest are committed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { rowsOf } from '../../src/db/handle.js';
import { openDatabase } from '../../src/db/open.js';
import { startServerProcess, type ServerProcess } from '../fixtures/server-process.js';
import { admin, adminEnv, runAdmin, treeHashes } from './admin-harness.js';

const FILES = 700;

describe('coffer-admin import in batches', () => {
  let srv: ServerProcess | undefined;
  let tmp: TempDir | undefined;
  afterAll(async () => {
    await srv?.cleanup();
    await tmp?.remove();
  });

  it('commits many files per transaction; one over quota fails alone', async () => {
    // Room for the small files (~0.5 MB), not for the big one.
    srv = await startServerProcess({ backend: 'pglite', quotaBytes: 2 * 1024 * 1024 });
    await srv.kill('SIGTERM');
    tmp = await makeTempDir('coffer-admin-batch-');
    const src = join(tmp.path, 'src');
    for (let i = 0; i < FILES; i++) {
      const rel = join(src, `d${i % 5}`, `f${String(i).padStart(4, '0')}.txt`);
      await mkdir(join(rel, '..'), { recursive: true });
      await writeFile(rel, randomBytes(200 + ((i * 53) % 1000)));
    }
    await writeFile(join(src, 'd0', 'zz-big.bin'), randomBytes(3 * 1024 * 1024));
    const env = adminEnv(srv);

    const r = await runAdmin(['import', src, '--user', srv.username, '--to', '/imp'], env);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`imported ${FILES} files .* and 5 folders .*; 1 not imported`));
    expect(r.stderr).toMatch(/not imported: \/imp\/d0\/zz-big\.bin: .*quota/i);

    const database = await openDatabase({ dataDir: srv.dataDir });
    try {
      const [row] = rowsOf<{ versions: number; transactions: number }>(
        await database.db.execute(sql`select count(*)::int as versions, count(distinct created_at)::int as transactions from file_versions`),
      );
      expect(row?.versions).toBe(FILES);
      // 500 a batch: 700 files in 2 transactions (a file at a time would be 700; the old 50 a batch, 14).
      expect(row?.transactions).toBeLessThanOrEqual(3);
    } finally {
      await database.close();
    }

    const out = join(tmp.path, 'out');
    expect(await admin(['export', srv.username, out, '--from', '/imp'], env)).toContain(`exported ${FILES} files`);
    const want = await treeHashes(src);
    want.delete('d0/zz-big.bin');
    expect(await treeHashes(out)).toEqual(want);
  }, 600_000);
});
