/** `npm start`: boot Coffer on its configuration (embedded defaults in ./data when nothing is set). */
import { startServer, type CofferServer } from './boot/server.js';
import { loadConfig, type Config } from './config.js';
import { DatabaseTooNewError } from './db/schema-version.js';
import { NodeConfigError } from './nodes/reconcile.js';
import { componentLogger, logError } from './observability/log.js';

// The start and stop lines are written whatever COFFER_LOG_LEVEL says: they tell the operator
// (and scripts waiting for the URL) where the server is.
const log = componentLogger('main').child({}, { level: 'info' });

// Last resort, after every listener, timer and background task was made to handle its own errors
// (sync/events.ts, sync/hub.ts, jobs/runner.ts): a promise nobody awaited that still rejects is a
// bookkeeping bug in work that has already failed and that no request waits on. Node's default
// would end the process for it, turning one missed .catch into an outage for every user; it is
// logged (without SQL parameters) instead. Uncaught exceptions keep Node's default (exit): after
// one, the process state is unknown.
process.on('unhandledRejection', (reason) => logError('unhandled rejection (a bug: please report it)', reason));

/** A shutdown that has not ended by then has a bug (a handle left open): say so and exit anyway. */
const SHUTDOWN_LIMIT_MS = 30_000;

const config = loadConfig();
let server: CofferServer;
try {
  server = await startServer(config);
} catch (err) {
  // A node configuration that would strand shards, or a database newer code has migrated
  // (an upgrade rolled back without its backup): say what to do, not a stack trace.
  if (!(err instanceof NodeConfigError) && !(err instanceof DatabaseTooNewError)) throw err;
  // Several lines of what to do, for the person starting it: plain text, not a JSON log line.
  process.stderr.write(`Coffer cannot start: ${err.message}\n`);
  process.exit(1);
}
printStarted(server, config);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      log.fatal(`Coffer did not stop within ${SHUTDOWN_LIMIT_MS / 1000} s (something was left open); exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    // Nothing else is waited for: once everything is closed, the process ends on its own.
    server.close().then(
      () => log.info('Coffer stopped'),
      (err: unknown) => {
        logError('shutting down failed', err);
        process.exitCode = 1;
      },
    );
  });
}

function printStarted(s: CofferServer, c: Config): void {
  log.info({ url: s.url }, `Coffer listening on ${s.url}`);
  if (s.tls) log.info(`TLS certificate SHA-256 fingerprint: ${s.tls.fingerprint}`);
  log.info(`data directory: ${c.dataDir}; metadata: ${s.database.kind}; storage nodes: ${s.storage.nodes.map((n) => n.id).join(', ')}`);
  if (s.database.kind === 'pglite') log.warn('embedded database: for one machine and trying Coffer out; use PostgreSQL (DATABASE_URL) for data you keep');
  // A V8 flag can only be given on the command line (setting it at run time does not reach wasm compilation).
  if (s.database.kind === 'pglite' && !process.execArgv.includes('--liftoff-only')) log.warn('embedded database without node --liftoff-only: its wasm recompilation can take ~500 MiB more memory (server/README.md, "Memory")');
  if (c.publicUrl) log.info(`public URL: ${c.publicUrl}`);
  else if (c.trustProxy) log.warn('behind a proxy without COFFER_PUBLIC_URL: absolute URLs (upload session Locations) name this server directly; set COFFER_PUBLIC_URL');
  // The generated password is an answer to the operator, shown once, not a log entry: it is
  // written as a plain line of its own, outside the JSON log (which never carries a password).
  if (s.firstAdmin?.generated) process.stdout.write(`first admin: username ${s.firstAdmin.username}, password ${s.firstAdmin.password} (shown once; change it after signing in)\n`);
  else if (s.firstAdmin) log.info(`first admin: username ${s.firstAdmin.username}, password from COFFER_ADMIN_PASSWORD`);
}
