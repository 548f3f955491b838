/**
 * `coffer-admin rotate-master-key --new-key-file F`: every data key (and every node URL sealed
 * with one) re-wrapped under a new master key in one transaction (DbKeyProvider.rotateMaster);
 * no block is rewritten. Then the data directory's master.key is replaced by the new key, or, when
 * the key comes from COFFER_MASTER_KEY, the operator is told to set it. Servers must be stopped:
 * one still running would wrap a new namespace's key under the old master.
 * Safe to run again after a crash between the two steps: keys already under the new master are
 * recognised and only the key file is written.
 */
import { sql } from 'drizzle-orm';
import { MasterKey } from '@coffer/storage-engine';
import { DbKeyProvider } from '../../db/key-provider.js';
import { rowsOf } from '../../db/open.js';
import { AdminError, config, openInstall, parse, print, UsageError } from '../context.js';
import { keyFromFile, keyPlaces, mustReadKey, writeKeyFile } from '../keys.js';
import { adminConnection, mustBeAlone } from '../pg-admin.js';

const USAGE = 'rotate-master-key --new-key-file F [--force]';

export async function rotateMasterKey(args: string[]): Promise<void> {
  const { values } = parse(args, { 'new-key-file': { type: 'string' }, force: { type: 'boolean' } }, { min: 0, max: 0, usage: USAGE });
  if (!values['new-key-file']) throw new UsageError(`--new-key-file is required\nusage: coffer-admin ${USAGE}`);
  const c = config();
  const place = keyPlaces(c).master;
  const oldKey = MasterKey.fromBytes(await mustReadKey(place));
  const newKey = MasterKey.fromBytes(await keyFromFile(values['new-key-file']));
  if (oldKey.id === newKey.id) throw new AdminError('the new key is the master key in use now');
  if (c.databaseUrl) {
    const pg = adminConnection(c.databaseUrl);
    await mustBeAlone(pg, values.force ?? false, 'rotating the master key').finally(() => pg.end({ timeout: 5 }));
  }
  const database = await openInstall(c);
  let rewrapped = 0;
  try {
    const byMaster = rowsOf<{ master: string; n: number }>(
      await database.db.execute(sql`select split_part(wrapped, '.', 2) as master, count(*)::int as n from namespace_keys group by 1`),
    );
    const foreign = byMaster.filter((r) => r.master !== oldKey.id && r.master !== newKey.id);
    if (foreign.length > 0) throw new AdminError(`${foreign.reduce((a, r) => a + r.n, 0)} data keys are wrapped by a master key that is neither the current nor the new one: nothing changed`);
    const underOld = byMaster.find((r) => r.master === oldKey.id)?.n ?? 0;
    const underNew = byMaster.find((r) => r.master === newKey.id)?.n ?? 0;
    if (underOld > 0 && underNew > 0) throw new AdminError('some data keys are under the new master and some under the old one: nothing changed (restore a backup)');
    if (underOld > 0) rewrapped = await new DbKeyProvider(database.db, oldKey).rotateMaster(newKey);
    else print(`the ${underNew} data keys are already under the new master key`);
  } finally {
    await database.close();
  }
  if (place.envValue) {
    print(`re-wrapped ${rewrapped} data keys. Now set COFFER_MASTER_KEY to the contents of ${values['new-key-file']} for every server before starting them: the old key no longer opens anything`);
  } else {
    await writeKeyFile(place.file, await keyFromFile(values['new-key-file']));
    print(`re-wrapped ${rewrapped} data keys; ${place.file} now holds the new master key (the old key no longer opens anything)`);
  }
}
