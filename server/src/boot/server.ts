/**
 * One way to run Coffer, for `main.ts` and every test alike: open the database and the storage
 * engine, make the first admin, start the sync hub, the node monitor and the job runner, serve
 * the app and its websockets. `close()` stops it all in one order, each part while what it needs
 * is still there:
 *
 * 1. stop accepting HTTP connections (requests under way go on);
 * 2. answer the long polls and close the websockets (their devices' cursors are saved);
 * 3. wait for the requests under way (cut off after `drainMs`);
 * 4. stop the jobs (aborted handlers give their jobs back to the queue);
 * 5. stop the hub (it stops listening to the database);
 * 6. stop the node monitor (after its round under way);
 * 7. close the engine: `blocks.close()` writes the batched last-access times and stops the sealer;
 * 8. close the database.
 *
 * A boot that fails half-way closes what it had opened, the same way, and throws.
 */
import { SettingsStore } from '../settings/store.js';
import { TrafficCounter } from '../usage/traffic.js';
import type { AppDeps } from '../deps.js';
import { Renderer } from '../thumbnails/render.js';
import { createApp } from '../app.js';
import { bootstrapAdmin, type FirstAdmin } from '../auth/bootstrap.js';
import type { Config } from '../config.js';
import { DUMP_SOCKET, serveDumps } from '../db/dump-socket.js';
import { openDatabase, type Database } from '../db/open.js';
import { join } from 'node:path';
import { createJobRunner } from '../jobs/index.js';
import { Metrics } from '../observability/metrics.js';
import type { JobRunner } from '../jobs/runner.js';
import { openStorage, type Storage } from '../storage.js';
import { attachEvents, type Events } from '../sync/events.js';
import { startHub, type HubOptions, type SyncHub } from '../sync/hub.js';
import { loadTls, type TlsMaterial } from '../tls.js';
import { listen, type Listener } from './listen.js';

export interface ServerOptions {
  hub?: HubOptions;
  /** Websocket heartbeat period (default 30 s). */
  heartbeatMs?: number;
  /** How long requests under way may take to finish at close (default 5 s). */
  drainMs?: number;
}

export interface CofferServer {
  /** Where this process answers: `http(s)://host:port`, with `localhost` for a wildcard address. */
  readonly url: string;
  readonly port: number;
  readonly database: Database;
  readonly storage: Storage;
  readonly hub: SyncHub;
  readonly deps: AppDeps;
  /** The TLS certificate served (absent with COFFER_PLAIN_HTTP). */
  readonly tls?: TlsMaterial;
  /** Made by this boot (the database had no user). */
  readonly firstAdmin?: FirstAdmin;
  /** Stop everything, in the order above; safe to call more than once. */
  close(): Promise<void>;
}

/** What has been started, so a failed boot and a close stop the same things the same way. */
interface Parts {
  database?: Database;
  storage?: Storage;
  hub?: SyncHub;
  jobs?: JobRunner;
  http?: Listener;
  events?: Events;
  /** The embedded database's backup socket (db/dump-socket.ts). */
  dumps?: () => Promise<void>;
}

export async function startServer(config: Config, opts: ServerOptions = {}): Promise<CofferServer> {
  const parts: Parts = {};
  const stop = () => shutdown(parts, opts.drainMs ?? 5_000);
  try {
    const metrics = new Metrics();
    const database = (parts.database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
    if (database.kind === 'pglite') parts.dumps = await serveDumps(database, join(config.dataDir, DUMP_SOCKET));
    const storage = (parts.storage = await openStorage(config, database.db, metrics.engineEvents));
    const firstAdmin = await bootstrapAdmin(database.db, config);
    const tls = config.plainHttp ? undefined : await loadTls(config.dataDir, config.tls);
    const hub = (parts.hub = await startHub(database, opts.hub));
    const deps: AppDeps = { db: database.db, storage, config, hub, tokens: database.tokens, settings: new SettingsStore(database.db, config.pinnedSettings), thumbnails: new Renderer(), metrics, traffic: new TrafficCounter(database.db) };
    metrics.watch({
      db: database.db,
      dbKind: database.kind,
      connections: () => hub.openConnections(),
      nodes: () => storage.monitor.snapshot(),
      quorum: () => storage.blocks.writeQuorum(),
    });
    // Node probes and background jobs (jobs/index.ts); every instance may run them.
    storage.monitor.start();
    // The embedded database admits one process (its lockfile): this runner is the only one, and
    // claims an earlier, killed process left are handed back at start instead of after their lease.
    if (config.jobs.enabled) (parts.jobs = createJobRunner(deps, { onAttemptFailed: (kind) => metrics.jobFailed(kind), sole: database.kind === 'pglite' })).start();
    const http = (parts.http = await listen(createApp(deps), config, tls));
    // Websockets at /api/v1/events share the port.
    parts.events = attachEvents(http.server, deps, { heartbeatMs: opts.heartbeatMs });

    let closing: Promise<void> | undefined;
    return {
      url: `${tls ? 'https' : 'http'}://${displayHost(config.host)}:${http.port}`,
      port: http.port,
      database,
      storage,
      hub,
      deps,
      tls,
      firstAdmin,
      close: () => (closing ??= stop()),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

async function shutdown(p: Parts, drainMs: number): Promise<void> {
  // Every step runs even when one before it failed (the database is closed whatever happened);
  // the first failure is thrown at the end.
  const failures: unknown[] = [];
  const step = async (run: () => unknown) => {
    try {
      await run();
    } catch (err) {
      failures.push(err);
    }
  };
  await step(() => p.http?.stopAccepting());
  await step(() => p.hub?.dismiss());
  await step(() => p.events?.close());
  await step(() => p.http?.drained(drainMs));
  await step(() => p.jobs?.stop());
  await step(() => p.hub?.stop());
  // Not started yet when a boot fails before the hub: stopping it then is harmless.
  await step(() => p.storage?.monitor.stop());
  await step(() => p.storage?.blocks.close());
  await step(() => p.dumps?.());
  await step(() => p.database?.close());
  if (failures.length > 0) throw failures[0];
}

/** A host clients can use: a wildcard address means this machine. */
function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
