import type { Config } from './config.js';
import type { Db } from './db/open.js';
import type { Storage } from './storage.js';

/** What every router is given: the metadata database, the storage engine and the settings. */
export interface AppDeps {
  db: Db;
  storage: Storage;
  config: Config;
}
