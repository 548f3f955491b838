import type { SettingsStore } from './settings/store.js';
import type { Config } from './config.js';
import type { Db } from './db/open.js';
import type { Metrics } from './observability/metrics.js';
import type { TokenCache } from './db/token-cache.js';
import type { Storage } from './storage.js';
import type { SyncHub } from './sync/hub.js';
import type { Renderer } from './thumbnails/render.js';
import type { TrafficCounter } from './usage/traffic.js';

/**
 * What every router is given, made once at boot (boot/server.ts): nothing a request needs is
 * found through module state.
 */
export interface AppDeps {
  /** The metadata database (its handle also runs the hot-path statements: db/raw.ts). */
  db: Db;
  storage: Storage;
  config: Config;
  /** This process's sync hub: long polls, websockets and presence wait on it. */
  hub: SyncHub;
  /** Token lookups remembered in memory, on the embedded database only (db/token-cache.ts). */
  tokens: TokenCache | null;
  /** Server-wide settings an administrator changes at run time (the two-factor requirement). */
  settings: SettingsStore;
  /** Makes image thumbnails, a bounded few at a time (thumbnails/render.ts). */
  thumbnails: Renderer;
  /** This server's Prometheus series (observability/metrics.ts). */
  metrics: Metrics;
  /** This instance's request and answer bytes, for the usage series (usage/traffic.ts). */
  traffic: TrafficCounter;
}
