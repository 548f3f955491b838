/**
 * Upgrades (README, "Upgrade"): a database migrated by newer code is refused — by openDatabase
 * with DatabaseTooNewError, and by `npm start` with a clear message and exit code 1 — before any
 * migration runs, on both backends. The same version opens again as before.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, rowsOf, type Database } from '../src/db/open.js';
import { codeSchemaVersion, DatabaseTooNewError } from '../src/db/schema-version.js';
import { freshPostgresDatabase } from './fixtures/postgres.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

async function migrationRows(database: Database): Promise<number> {
  const rows = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
  return Number(rows[0]!.n);
}

/** What a newer Coffer leaves behind: one more applied migration, newer than any this code ships. */
async function migrateAsNewerCode(database: Database): Promise<void> {
  const newest = codeSchemaVersion(MIGRATIONS).newest;
  await database.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-a-newer-version', ${newest + 60_000})`);
}

/** `npm start`'s entry, as a process: how it ended and what it printed. */
function startProcess(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const full: NodeJS.ProcessEnv = { ...process.env, COFFER_HOST: '127.0.0.1', COFFER_PORT: '0', COFFER_PLAIN_HTTP: '1', ...env };
  if (!env.DATABASE_URL) delete full.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: ROOT,
      env: full,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 60 s:\n${output}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('a database migrated by newer code', () => {
  const dir = useTempDir('coffer-schema-version-');

  it('PostgreSQL: openDatabase refuses it and npm start exits 1 saying what to do', async () => {
    const pg = await freshPostgresDatabase();
    try {
      const first = await openDatabase({ url: pg.url, dataDir: dir() });
      const applied = await migrationRows(first);
      expect(applied).toBe(codeSchemaVersion(MIGRATIONS).count);
      await first.close();
      // The same version opens again (no false alarm), then a newer one migrates it.
      const again = await openDatabase({ url: pg.url, dataDir: dir() });
      await migrateAsNewerCode(again);
      await again.close();

      const refused = openDatabase({ url: pg.url, dataDir: dir() });
      await expect(refused).rejects.toBeInstanceOf(DatabaseTooNewError);
      await expect(refused).rejects.toThrow(/migrated by a newer version of Coffer/);

      const run = await startProcess({ DATABASE_URL: pg.url, COFFER_DATA_DIR: `${dir()}/proc` });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain('Coffer cannot start: the database was migrated by a newer version of Coffer');
      expect(run.output).not.toContain('listening on');
    } finally {
      await pg.drop();
    }
  });

  it('embedded PGlite: refused too, and left unlocked', async () => {
    const dataDir = `${dir()}/embedded`;
    const first = await openDatabase({ dataDir });
    await migrateAsNewerCode(first);
    await first.close();

    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DatabaseTooNewError);
    // The refusal closed PGlite and released its lock: the process can start (and is refused again).
    const run = await startProcess({ COFFER_DATA_DIR: dataDir });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain('the database was migrated by a newer version of Coffer');
    expect(run.output).not.toContain('is in use by process');
  });
});
