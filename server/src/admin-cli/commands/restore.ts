/**
 * `coffer-admin restore FROM --passphrase-file F [--force]`: a backup put back — the database into
 * an empty one (PostgreSQL at DATABASE_URL, or the embedded one in the data directory; a database
 * with users in it only with --force), then the master key and the server secret into the data
 * directory's key files. Everything is checked before anything changes: the passphrase and the
 * whole file, the kind of database, the schema version, keys set in the environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { readBackupFile, type Manifest } from '../backup-format.js';
import { fetchBackup, placeOf } from '../backup-target.js';
import { AdminError, config, openInstall, parse, print } from '../context.js';
import { embeddedExists, loadEmbedded } from '../embedded.js';
import { keyPlaces, readKey, writeKeyFile, type KeyPlace } from '../keys.js';
import { codeMigrations } from '../migrations.js';
import { readPassphrase } from '../passphrase.js';
import { adminConnection, clearSchemas, mustBeAlone, userCount } from '../pg-admin.js';
import { pgRestore } from '../pg-tools.js';
import { files, users } from '../../db/schema.js';
import type { Config } from '../../config.js';

const USAGE = 'restore FROM --passphrase-file F [--force] [--s3-endpoint URL]';

export async function restore(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    { 'passphrase-file': { type: 'string' }, force: { type: 'boolean' }, 's3-endpoint': { type: 'string' } },
    { min: 1, max: 1, usage: USAGE },
  );
  if (!values['passphrase-file']) throw new AdminError(`--passphrase-file is required (usage: coffer-admin ${USAGE})`);
  const force = values.force ?? false;
  const c = config();
  const place = placeOf(positionals[0]!, values['s3-endpoint']);
  const passphrase = await readPassphrase(values['passphrase-file']);
  const scratch = await mkdtemp(join(tmpdir(), 'coffer-admin-'));
  try {
    const dumpFile = join(scratch, 'dump');
    const manifest = await readBackupFile(await fetchBackup(place, scratch), passphrase, dumpFile);
    if (manifest.database.migrations > (await codeMigrations())) {
      throw new AdminError('the backup comes from a newer Coffer (its database schema is ahead of this one): restore it with that version');
    }
    const places = keyPlaces(c);
    const master = Buffer.from(manifest.keys.master, 'base64');
    const secret = Buffer.from(manifest.keys.serverSecret, 'base64');
    await checkKey(places.master, master, force);
    await checkKey(places.secret, secret, force);

    if (manifest.database.kind === 'postgres') await restorePostgres(c, manifest, dumpFile, force);
    else await restoreEmbedded(c, dumpFile, force);

    for (const [p, key] of [
      [places.master, master],
      [places.secret, secret],
    ] as const) {
      if (!p.envValue) await writeKeyFile(p.file, key);
    }
    const database = await openInstall(c);
    try {
      const [u] = await database.db.select({ n: count() }).from(users);
      const [f] = await database.db.select({ n: count() }).from(files);
      print(`restored the backup of ${manifest.createdAt}: ${u!.n} users, ${f!.n} files and folders; keys in ${join(c.dataDir, 'keys')}${places.master.envValue ? ' (the master key stays in COFFER_MASTER_KEY)' : ''}`);
    } finally {
      await database.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A key set in the environment must be the backup's (it cannot be written); a different key file is replaced only with --force. */
async function checkKey(p: KeyPlace, key: Buffer, force: boolean): Promise<void> {
  const current = await readKey(p).catch(() => undefined);
  if (!current || current.equals(key)) return;
  if (p.envValue) throw new AdminError(`${p.env} in the environment is not the backup's ${p.what}: unset it (the key file is written) or set it to the backup's`);
  if (!force) throw new AdminError(`${p.file} holds a different ${p.what} than the backup: --force replaces it (the data written with it becomes unreadable)`);
}

async function restorePostgres(c: Config, m: Manifest, dumpFile: string, force: boolean): Promise<void> {
  if (!c.databaseUrl) throw new AdminError('the backup is of a PostgreSQL database: set DATABASE_URL to the (empty) database to restore into');
  if (m.database.dump !== 'pg_dump-custom') throw new AdminError(`a PostgreSQL backup with a ${m.database.dump} dump cannot be restored`);
  const sql = adminConnection(c.databaseUrl);
  try {
    await mustBeAlone(sql, force, 'restoring');
    const n = await userCount(sql);
    if (n && !force) throw new AdminError(`the database already holds ${n} users: restore into an empty database, or --force to replace it`);
    await clearSchemas(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
  await pgRestore(c.databaseUrl, dumpFile);
}

async function restoreEmbedded(c: Config, dumpFile: string, force: boolean): Promise<void> {
  if (c.databaseUrl) throw new AdminError('the backup is of an embedded database: restore it without DATABASE_URL, then move it with coffer-admin migrate-db');
  if ((await embeddedExists(c.dataDir)) && !force) {
    throw new AdminError(`${join(c.dataDir, 'pglite')} holds a database already: restore into an empty data directory, or --force to move it aside`);
  }
  const aside = await loadEmbedded(c.dataDir, dumpFile);
  if (aside) print(`the database that was there is kept in ${aside}`);
}
