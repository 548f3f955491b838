/**
 * `coffer-admin backup --to FILE|s3://BUCKET/KEY --passphrase-file F`: the three things that make
 * the stored blocks readable — a consistent snapshot of the database, the master key and the
 * server secret — in one passphrase-encrypted file (backup-format.ts). The blocks themselves are
 * on the nodes, whose redundancy is erasure coding, not this file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBackupFile, type Manifest } from '../backup-format.js';
import { deliver, placeOf, stagingFile } from '../backup-target.js';
import { config, openInstall, parse, print, UsageError } from '../context.js';
import { dumpEmbedded } from '../embedded.js';
import { keyPlaces, mustReadKey } from '../keys.js';
import { appliedMigrations } from '../migrations.js';
import { readPassphrase } from '../passphrase.js';
import { pgDump } from '../pg-tools.js';

const USAGE = 'backup --to FILE|s3://BUCKET/KEY --passphrase-file F [--s3-endpoint URL]';

export async function backup(args: string[]): Promise<void> {
  const { values } = parse(args, { to: { type: 'string' }, 'passphrase-file': { type: 'string' }, 's3-endpoint': { type: 'string' } }, { min: 0, max: 0, usage: USAGE });
  if (!values.to || !values['passphrase-file']) throw new UsageError(`--to and --passphrase-file are required\nusage: coffer-admin ${USAGE}`);
  const c = config();
  const place = placeOf(values.to, values['s3-endpoint']);
  const passphrase = await readPassphrase(values['passphrase-file']);
  const places = keyPlaces(c);
  const keys = { master: (await mustReadKey(places.master)).toString('base64'), serverSecret: (await mustReadKey(places.secret)).toString('base64') };
  const scratch = await mkdtemp(join(tmpdir(), 'coffer-admin-'));
  const staged = stagingFile(place, scratch);
  try {
    let manifest: Manifest;
    if (c.databaseUrl) {
      const database = await openInstall(c);
      const migrations = await appliedMigrations(database.db).finally(() => database.close());
      manifest = { format: 'coffer-backup', version: 1, createdAt: new Date().toISOString(), database: { kind: 'postgres', dump: 'pg_dump-custom', migrations }, keys };
      const dump = pgDump(c.databaseUrl);
      // Both must succeed: a pg_dump that fails half-way leaves a staged file that is never delivered.
      await Promise.all([writeBackupFile(staged, manifest, dump.stream, passphrase), dump.done]);
    } else {
      const { bytes, from, migrations } = await dumpEmbedded(c.dataDir);
      manifest = { format: 'coffer-backup', version: 1, createdAt: new Date().toISOString(), database: { kind: 'pglite', dump: 'pglite-tar-gz', migrations }, keys };
      print(`embedded database dumped from the ${from}`);
      await writeBackupFile(staged, manifest, [bytes], passphrase);
    }
    await deliver(place, staged);
    print(`backup written to ${place.kind === 'file' ? place.path : place.shown} (database: ${manifest.database.kind}; with the master key and the server secret)`);
    print('keep the passphrase apart from the backup: without it the backup cannot be opened');
  } finally {
    await rm(staged, { force: true });
    await rm(scratch, { recursive: true, force: true });
  }
}
