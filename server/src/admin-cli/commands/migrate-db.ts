/**
 * `coffer-admin migrate-db --to postgres://…`: the embedded database moved into PostgreSQL, all of
 * it — users, tokens, files, revisions, blocks and shard locations, shares, links, the journal and
 * its cursors, jobs — table by table in one transaction on the target (table-copy.ts), with the
 * triggers off while copying (rows are copied as they are: the journal's mirroring trigger must
 * not mirror twice, the read-only versions' trigger must not object) and the sequences carried
 * over. Needs the server stopped, a target without users (migrated to the same schema here first),
 * and a role allowed to set session_replication_role (the database's owner as superuser, as in the
 * compose stack). Afterwards the embedded database refuses to open (a marker beside it), so a
 * server started without DATABASE_URL cannot quietly go on with the old copy; `--env-file` writes
 * DATABASE_URL into the given .env file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { count, sql } from 'drizzle-orm';
import { openDatabase, type Db } from '../../db/open.js';
import { files, users } from '../../db/schema.js';
import { AdminError, config, parse, print, UsageError } from '../context.js';
import { appliedMigrations } from '../migrations.js';
import { insertPage, pagesOf, sequencesOf, tablesOf } from '../table-copy.js';
import { MIGRATED_MARKER } from '../../db/open.js';

const USAGE = 'migrate-db --to postgres://USER:PASSWORD@HOST:PORT/DB [--env-file FILE]';

export async function migrateDb(args: string[]): Promise<void> {
  const { values } = parse(args, { to: { type: 'string' }, 'env-file': { type: 'string' } }, { min: 0, max: 0, usage: USAGE });
  const to = values.to;
  if (!to || !/^postgres(ql)?:\/\//.test(to) || !URL.canParse(to)) throw new UsageError(`--to must be a postgres:// URL\nusage: coffer-admin ${USAGE}`);
  const c = config();
  if (c.databaseUrl) throw new AdminError('DATABASE_URL is set: this install is on PostgreSQL already (migrate-db moves the embedded database)');
  const source = await openDatabase({ dataDir: c.dataDir });
  try {
    const target = await openDatabase({ url: to, dataDir: c.dataDir });
    try {
      const [theirs, ours] = [await appliedMigrations(target.db), await appliedMigrations(source.db)];
      if (theirs !== ours) throw new AdminError(`the two databases are at different schema versions (${ours} and ${theirs} migrations)`);
      const [u] = await target.db.select({ n: count() }).from(users);
      if (u!.n > 0) throw new AdminError(`the target database already holds ${u!.n} users: migrate into an empty database`);
      const copied = await copyAll(source.db, target.db);
      const [uc] = await target.db.select({ n: count() }).from(users);
      const [fc] = await target.db.select({ n: count() }).from(files);
      print(`copied ${copied.rows} rows of ${copied.tables} tables: ${uc!.n} users, ${fc!.n} files and folders`);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
  await writeFile(join(c.dataDir, MIGRATED_MARKER), `moved to PostgreSQL by coffer-admin migrate-db on ${new Date().toISOString()}\n`);
  const shown = new URL(to);
  if (shown.password) shown.password = '****';
  if (values['env-file']) {
    await setEnvLine(values['env-file'], 'DATABASE_URL', to);
    print(`${values['env-file']}: DATABASE_URL=${shown}`);
  } else {
    print(`now start the server with DATABASE_URL=${shown}`);
  }
  print(`the embedded database stays in ${join(c.dataDir, 'pglite')} for going back, but no longer opens (${MIGRATED_MARKER})`);
}

async function copyAll(from: Db, to: Db): Promise<{ tables: number; rows: number }> {
  const tables = await tablesOf(from);
  const sequences = await sequencesOf(from);
  let rows = 0;
  await to.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // Triggers (and the foreign keys' triggers) off for this transaction only: rows go in as they were.
    await t.execute(sql`set local session_replication_role = replica`);
    await t.execute(sql.raw(`truncate table ${tables.map((n) => `public."${n}"`).join(', ')}`));
    for (const table of tables) {
      for await (const page of pagesOf(from, table)) {
        await insertPage(t, table, page);
        rows += page.length;
      }
    }
    for (const s of sequences) await t.execute(sql`select setval(${`public."${s.name}"`}::regclass, ${s.last}::bigint, ${s.called})`);
  });
  return { tables: tables.length, rows };
}

/** Set NAME=VALUE in an env file: the line replaced where it is, else appended; the rest kept. */
async function setEnvLine(file: string, name: string, value: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? '' : Promise.reject(err)));
  const lines = text.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\s*(export\\s+)?${name}=`).test(l));
  if (at >= 0) lines[at] = `${name}=${value}`;
  else lines.splice(text.endsWith('\n') || text === '' ? lines.length - 1 : lines.length, 0, `${name}=${value}`);
  await writeFile(file, lines.join('\n').replace(/^\n/, '') + (lines.at(-1) === '' ? '' : '\n'), { mode: 0o600 });
}
