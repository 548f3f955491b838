/** `npm start`: boot Coffer on its configuration (embedded defaults in ./data when nothing is set). */
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { bootstrapAdmin } from './auth/bootstrap.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { logError } from './error-log.js';
import { createJobRunner } from './jobs/index.js';
import { NodeConfigError } from './nodes/reconcile.js';
import { openStorage } from './storage.js';
import { attachEvents } from './sync/events.js';
import { startHub } from './sync/hub.js';
import { loadTls } from './tls.js';

// Last resort, after every listener, timer and background task was made to handle its own errors
// (sync/events.ts, sync/hub.ts, jobs/runner.ts): a promise nobody awaited that still rejects is a
// bookkeeping bug in work that has already failed and that no request waits on. Node's default
// would end the process for it, turning one missed .catch into an outage for every user; it is
// logged (without SQL parameters) instead. Uncaught exceptions keep Node's default (exit): after
// one, the process state is unknown.
process.on('unhandledRejection', (reason) => logError('unhandled rejection (a bug: please report it)', reason));

const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
const storage = await openStorage(config, database.db).catch(async (err: unknown) => {
  // A node configuration that would strand shards: say what to do, not a stack trace.
  if (!(err instanceof NodeConfigError)) throw err;
  console.error(`Coffer cannot start: ${err.message}`);
  await database.close().catch(() => undefined);
  process.exit(1);
});
const firstAdmin = await bootstrapAdmin(database.db, config);
const deps = { db: database.db, storage, config };
const hub = await startHub(database);
const app = createApp(deps);
// Node probes and background jobs (jobs/index.ts); every instance may run them.
storage.monitor.start();
const jobs = config.jobs.enabled ? createJobRunner(deps) : undefined;
jobs?.start();
const tls = config.plainHttp ? undefined : await loadTls(config.dataDir, config.tls);

const server = serve(
  {
    fetch: app.fetch,
    hostname: config.host,
    port: config.port,
    ...(tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key } } : {}),
  },
  (info) => {
    const scheme = tls ? 'https' : 'http';
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    console.log(`Coffer listening on ${scheme}://${host}:${info.port}`);
    if (tls) console.log(`TLS certificate SHA-256 fingerprint: ${tls.fingerprint}`);
    console.log(`data directory: ${config.dataDir}; metadata: ${database.kind}; storage nodes: ${storage.nodes.map((n) => n.id).join(', ')}`);
    if (database.kind === 'pglite') console.log('embedded database: for one machine and trying Coffer out; use PostgreSQL (DATABASE_URL) for data you keep');
    if (config.publicUrl) console.log(`public URL: ${config.publicUrl}`);
    else if (config.trustProxy) console.log('behind a proxy without COFFER_PUBLIC_URL: absolute URLs (upload session Locations) name this server directly; set COFFER_PUBLIC_URL');
    if (firstAdmin?.generated) console.log(`first admin: username ${firstAdmin.username}, password ${firstAdmin.password} (shown once; change it after signing in)`);
    else if (firstAdmin) console.log(`first admin: username ${firstAdmin.username}, password from COFFER_ADMIN_PASSWORD`);
  },
);

// Websockets at /api/v1/events share the port.
const events = attachEvents(server as Parameters<typeof attachEvents>[0], deps);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // Answer long polls and close websockets first: server.close waits for open requests.
    events.close();
    storage.monitor.stop();
    void Promise.all([hub.stop(), jobs?.stop()]).finally(() => server.close(() => void database.close().finally(() => process.exit(0))));
    setTimeout(() => process.exit(0), 3_000).unref();
  });
}
